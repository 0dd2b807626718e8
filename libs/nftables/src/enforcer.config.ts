import { CidrSet } from '@fleetban/ip';

/** What happens to a packet from a banned source: silently dropped, or refused (TCP reset, ICMP admin-prohibited). */
export type EnforcerAction = 'drop' | 'reject';

/**
 * Where the chain hooks. `prerouting` (the default) runs at priority raw (-300): before conntrack, so a flood from a
 * banned source creates no conntrack entries, and before DNAT, so a PBX published from a container is covered too.
 * `input` runs at filter - 10: only traffic addressed to this host, after conntrack.
 */
export type EnforcerHook = 'prerouting' | 'input';

/** Ports the ban applies to; null means every port and protocol. */
export interface PortFilter {
  tcp: number[];
  udp: number[];
}

export interface EnforcerConfig {
  /** The one table the enforcer owns, in family inet. Tests and agents in namespaces use distinct names. */
  table: string;
  action: EnforcerAction;
  hook: EnforcerHook;
  ports: PortFilter | null;
  /** Addresses and networks never banned: the host's own, its server's, its local allowlist. */
  protected: string[];
}

export const DEFAULT_ENFORCER_CONFIG: EnforcerConfig = {
  table: 'fleetban',
  action: 'drop',
  hook: 'prerouting',
  ports: null,
  protected: ['127.0.0.0/8', '::1'],
};

export const HOOK_PRIORITY: Record<EnforcerHook, number> = { prerouting: -300, input: -10 };

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** Fills defaults and checks every field; throws one error naming every bad key, since a bad value would reach nft text. */
export function resolveEnforcerConfig(input: Partial<EnforcerConfig> = {}): EnforcerConfig {
  const config: EnforcerConfig = { ...DEFAULT_ENFORCER_CONFIG, ...input };
  const problems: string[] = [];
  if (!NAME.test(config.table)) problems.push(`table: "${config.table}" must be a letter then up to 31 letters, digits or _`);
  if (config.action !== 'drop' && config.action !== 'reject') problems.push(`action: "${String(config.action)}" must be drop or reject`);
  if (config.hook !== 'prerouting' && config.hook !== 'input') problems.push(`hook: "${String(config.hook)}" must be prerouting or input`);
  if (config.ports !== null) {
    for (const proto of ['tcp', 'udp'] as const) {
      const bad = (config.ports[proto] ?? []).filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
      if (bad.length > 0) problems.push(`ports.${proto}: ${bad.join(', ')} not a port (1-65535)`);
    }
    if (config.ports.tcp.length + config.ports.udp.length === 0) problems.push('ports: empty; use null to ban on every port');
  }
  try {
    new CidrSet(config.protected);
  } catch (error) {
    problems.push(`protected: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new Error(`invalid nftables enforcer config: ${problems.join('; ')}`);
  return config;
}
