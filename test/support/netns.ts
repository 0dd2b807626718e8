import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';

/**
 * Network namespaces for tests, the demo and benchmarks: unique names per process, veth pairs created directly
 * inside the namespaces (never visible on the host, but for linkHost's one end), and everything removed on destroy()
 * or, failing that, at exit.
 */

const PREFIX = 'fbt';
const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
let sequence = 0;
const live = new Set<string>();
const children = new Set<ChildProcess>();

/** Why namespaces cannot be used here (not root, a tool missing), or null when they can. */
export function netnsUnavailableReason(tools: string[] = ['ip']): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install ${missing.includes('nft') ? 'nftables ' : ''}iproute2)` : null;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve({ stdout, stderr });
    });
    child.stdin?.on('error', () => undefined); // the command may exit without reading its input
    child.stdin?.end(input ?? '');
  });
}

export class Netns {
  constructor(readonly name: string) {}

  /** Prefix that runs a command inside the namespace. */
  get prefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Runs a command in the namespace; rejects with its stderr when it fails. */
  exec(command: string[], input?: string): Promise<CommandResult> {
    return run('ip', ['netns', 'exec', this.name, ...command], input);
  }

  /** Starts a long-running process in the namespace; killed by destroy() or at exit if still running. */
  spawn(command: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }
}

export interface VethEnd {
  netns: Netns;
  device: string;
  /** Addresses with prefix length, e.g. `198.18.0.1/24`, `fd00:fb::1/64`. */
  addresses: string[];
}

/** A set of namespaces and links, all removed by destroy(). */
export class NetnsLab {
  private readonly namespaces: Netns[] = [];

  /** Creates a namespace named after `label` (letters and digits), with loopback up. */
  async netns(label: string): Promise<Netns> {
    const name = `${PREFIX}-${tag}-${++sequence}-${label}`;
    await run('ip', ['netns', 'add', name]);
    live.add(name);
    const netns = new Netns(name);
    this.namespaces.push(netns);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return netns;
  }

  /** Joins two namespaces with a veth pair, gives each end its addresses (IPv6 without DAD: usable at once), brings both up. */
  async link(a: { netns: Netns; addresses: string[] }, b: { netns: Netns; addresses: string[] }): Promise<[VethEnd, VethEnd]> {
    const id = `${tag}${(++sequence).toString(36)}`.slice(-11);
    const ends: [VethEnd, VethEnd] = [
      { ...a, device: `v${id}a` },
      { ...b, device: `v${id}b` },
    ];
    await run('ip', ['link', 'add', ends[0].device, 'netns', a.netns.name, 'type', 'veth', 'peer', 'name', ends[1].device, 'netns', b.netns.name]);
    for (const end of ends) {
      for (const address of end.addresses) {
        const v6 = address.includes(':');
        await run('ip', ['-n', end.netns.name, ...(v6 ? ['-6'] : []), 'addr', 'add', address, 'dev', end.device, ...(v6 ? ['nodad'] : [])]);
      }
      await run('ip', ['-n', end.netns.name, 'link', 'set', end.device, 'up']);
    }
    return ends;
  }

  /**
   * Joins a namespace to the host itself with a veth pair, for a server on the host that processes in namespaces must
   * reach (the demo's agents). The host's end is the one device a lab puts outside its namespaces; it goes with them.
   */
  async linkHost(hostAddresses: string[], b: { netns: Netns; addresses: string[] }): Promise<{ hostDevice: string; end: VethEnd }> {
    const id = `${tag}${(++sequence).toString(36)}`.slice(-11);
    const hostDevice = `v${id}h`;
    const end: VethEnd = { ...b, device: `v${id}b` };
    await run('ip', ['link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', end.device, 'netns', b.netns.name]);
    for (const address of hostAddresses) await run('ip', ['addr', 'add', address, 'dev', hostDevice]);
    await run('ip', ['link', 'set', hostDevice, 'up']);
    for (const address of end.addresses) await run('ip', ['-n', b.netns.name, 'addr', 'add', address, 'dev', end.device]);
    await run('ip', ['-n', b.netns.name, 'link', 'set', end.device, 'up']);
    return { hostDevice, end };
  }

  /** Kills what runs in these namespaces and deletes them (their veths go with them). */
  async destroy(): Promise<void> {
    const names = new Set(this.namespaces.map((n) => n.name));
    for (const child of children) {
      if (names.has(child.spawnargs[3] ?? '')) child.kill('SIGKILL');
    }
    for (const netns of this.namespaces.splice(0)) {
      await deleteNetns(netns.name);
    }
  }
}

async function deleteNetns(name: string): Promise<void> {
  // Processes still inside keep the namespace alive: kill them before deleting it.
  await run('ip', ['netns', 'pids', name]).then(
    ({ stdout }) => stdout.split('\n').filter(Boolean).forEach((pid) => process.kill(Number(pid), 'SIGKILL')),
    () => undefined,
  );
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
  live.delete(name);
}

/** Removes namespaces left by test processes that died without cleaning up. */
export function sweepStaleNetns(): void {
  if (!existsSync('/run/netns')) return;
  for (const name of readdirSync('/run/netns')) {
    const match = /^fbt-([0-9a-z]+?)[0-9a-f]{4}-\d+-/.exec(name);
    if (match === null) continue;
    const pid = parseInt(match[1] as string, 36);
    if (pid === process.pid || existsSync(`/proc/${pid}`)) continue;
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const name of live) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
});
