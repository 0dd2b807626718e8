import { NftablesEnforcer, NftSessionRunner, type EnforcerConfig } from '@fleetban/nftables';
import { NetnsLab, sweepStaleNetns, type Netns } from '../support/netns';

/** A "pbx" namespace and an "attacker" namespace joined by a veth pair, with IPv4 and IPv6 on both ends. */
export interface EnforcerLab {
  lab: NetnsLab;
  pbx: Netns;
  attacker: Netns;
}

export const PBX_V4 = '198.18.0.1';
export const ATTACKER_V4 = '198.18.0.2';
export const PBX_V6 = 'fd00:fb::1';
export const ATTACKER_V6 = 'fd00:fb::2';

export async function createEnforcerLab(): Promise<EnforcerLab> {
  sweepStaleNetns();
  const lab = new NetnsLab();
  try {
    const pbx = await lab.netns('pbx');
    const attacker = await lab.netns('attacker');
    await lab.link({ netns: pbx, addresses: [`${PBX_V4}/24`, `${PBX_V6}/64`] }, { netns: attacker, addresses: [`${ATTACKER_V4}/24`, `${ATTACKER_V6}/64`] });
    return { lab, pbx, attacker };
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

/** An enforcer for the pbx namespace; the pbx's own addresses protected, as the agent does. */
export function pbxEnforcer(pbx: Netns, config: Partial<EnforcerConfig> = {}): NftablesEnforcer {
  return new NftablesEnforcer({ table: 'fbtest', protected: ['127.0.0.0/8', '::1', PBX_V4, PBX_V6], ...config }, new NftSessionRunner({ prefix: pbx.prefix }));
}
