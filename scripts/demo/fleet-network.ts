import { spawnSync } from 'node:child_process';
import { NetnsLab, netnsUnavailableReason, sweepStaleNetns, type Netns } from '../../test/support/netns';
import { TrafficListener, udpReaches } from '../../test/support/netns-traffic';

/**
 * The demo's network, when it runs as root with nftables: one namespace per PBX and one for the attackers, all on a
 * bridge in a "lan" namespace, which a veth pair joins to this host, where the server listens. The subnet is one of
 * 198.18.0.0/15 (reserved for network tests, routed nowhere) that this host does not route yet; the attackers' and the
 * trunk's addresses exist only inside the attacker namespace, so every probe stays among the demo's namespaces.
 */

export interface Pbx {
  name: string;
  netns: Netns;
  address: string;
}

export interface Verdict {
  pbx: string;
  ip: string;
  reaches: boolean;
}

/** The SIP port the probes aim at, as an attacker would. */
const SIP_PORT = 5060;

/** Why bans cannot be enforced for real here, or null when they can. */
export const enforcementUnavailableReason = (): string | null => netnsUnavailableReason(['ip', 'nft']);

function freeSubnet(): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const prefix = `198.18.${1 + Math.floor(Math.random() * 254)}`;
    const routes = spawnSync('ip', ['-4', 'route', 'show', 'to', 'match', `${prefix}.1`], { encoding: 'utf8' }).stdout.split('\n');
    if (!routes.some((route) => route !== '' && !route.startsWith('default'))) return prefix;
  }
  throw new Error('no free /24 in 198.18.0.0/16 for the demo network');
}

export class FleetNetwork {
  private readonly listeners = new Map<string, TrafficListener>();

  private constructor(
    private readonly lab: NetnsLab,
    /** The host's address on the lab's link: where the server listens. */
    readonly serverAddress: string,
    readonly pbxs: Pbx[],
    private readonly attacker: Netns,
  ) {}

  /** Builds the namespaces for `pbxNames` and an attacker namespace holding `attackerIps`; all removed by destroy(). */
  static async create(pbxNames: string[], attackerIps: string[]): Promise<FleetNetwork> {
    sweepStaleNetns();
    const lab = new NetnsLab();
    try {
      const net = freeSubnet();
      const lan = await lab.netns('lan');
      await lan.exec(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
      await lan.exec(['ip', 'link', 'set', 'br0', 'up']);
      const toBridge = async (device: string): Promise<void> => void (await lan.exec(['ip', 'link', 'set', device, 'master', 'br0']));
      const host = await lab.linkHost([`${net}.1/24`], { netns: lan, addresses: [] });
      await toBridge(host.end.device);
      const attacker = await lab.netns('attacker');
      const [attackerLink] = await lab.link({ netns: lan, addresses: [] }, { netns: attacker, addresses: [`${net}.100/24`, ...attackerIps.map((ip) => `${ip}/32`)] });
      await toBridge(attackerLink.device);
      const pbxs: Pbx[] = [];
      for (const [i, name] of pbxNames.entries()) {
        const netns = await lab.netns(name.replace(/[^a-z0-9]/gi, ''));
        const address = `${net}.${11 + i}`;
        const [lanEnd] = await lab.link({ netns: lan, addresses: [] }, { netns, addresses: [`${address}/24`] });
        await toBridge(lanEnd.device);
        // Replies to the attackers go back to their namespace, not to a default route (there is none).
        for (const ip of attackerIps) await netns.exec(['ip', 'route', 'add', `${ip}/32`, 'via', `${net}.100`]);
        pbxs.push({ name, netns, address });
      }
      return new FleetNetwork(lab, `${net}.1`, pbxs, attacker);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
  }

  /** The elements of the agent's nftables set `banned4` in a PBX's namespace, as `nft list set` shows them. */
  async banned4(pbx: Pbx, table = 'fleetban'): Promise<string[]> {
    const { stdout } = await pbx.netns.exec(['nft', '-j', 'list', 'set', 'inet', table, 'banned4']);
    const set = (JSON.parse(stdout) as { nftables: Array<{ set?: { elem?: Array<string | { elem: { val: string } }> } }> }).nftables.find((e) => e.set)?.set;
    return (set?.elem ?? []).map((e) => (typeof e === 'string' ? e : e.elem.val));
  }

  /** Sends SIP-port datagrams from each of `ips` to every PBX: which of them arrive. */
  async probe(ips: string[]): Promise<Verdict[]> {
    const verdicts: Verdict[] = [];
    for (const pbx of this.pbxs) {
      let listener = this.listeners.get(pbx.name);
      if (listener === undefined) {
        listener = await TrafficListener.start(pbx.netns, [SIP_PORT]);
        this.listeners.set(pbx.name, listener);
      }
      for (const ip of ips) verdicts.push({ pbx: pbx.name, ip, reaches: await udpReaches(this.attacker, listener, pbx.address, SIP_PORT, ip) });
    }
    return verdicts;
  }

  /** Kills every process in the namespaces and deletes them, the host's end of the link with them. */
  async destroy(): Promise<void> {
    for (const listener of this.listeners.values()) listener.stop();
    await this.lab.destroy();
  }
}
