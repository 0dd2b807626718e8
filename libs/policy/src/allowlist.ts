import { CidrSet, formatCidr, normalizeCidr } from '@fleetban/ip';
import type { Jail } from './jail.schema';

/** An allowlist entry: global when `agentId` is null or absent, else for that agent only. */
export interface AllowlistEntry {
  cidr: string;
  note?: string | null;
  agentId?: string | null;
}

export interface AllowlistMatch {
  source: 'global' | 'agent' | 'jail';
  /** The entry, canonical (e.g. 10.0.0.0/8). */
  cidr: string;
  note: string | null;
  agentId: string | null;
  /** The jail whose ignoreip matched, for source 'jail'. */
  jail: string | null;
}

/** Which agents a ban would reach: one agent, or every agent (null); and the jail whose ignoreip applies. */
export interface AllowlistContext {
  agentId: string | null;
  jail?: Pick<Jail, 'name' | 'ignoreip'>;
}

/** Entries of one owner (global or one agent), parsed once, with the entry behind each canonical network. */
class EntryGroup {
  readonly set: CidrSet;
  readonly byCidr = new Map<string, AllowlistEntry>();

  constructor(entries: readonly AllowlistEntry[]) {
    this.set = new CidrSet(entries.map((entry) => entry.cidr));
    for (const entry of entries) {
      const cidr = normalizeCidr(entry.cidr, { strict: false }) as string;
      if (!this.byCidr.has(cidr)) this.byCidr.set(cidr, entry);
    }
  }

  match(target: string): { cidr: string; entry: AllowlistEntry } | null {
    const hit = this.set.match(target);
    if (hit === null) return null;
    const cidr = formatCidr(hit);
    return { cidr, entry: this.byCidr.get(cidr) as AllowlistEntry };
  }
}

/**
 * The global and per-agent allowlist, parsed once. Build it when the entries change and pass it to every
 * evaluation: parsing hundreds of entries per evaluation would dominate the ban engine's cost.
 * Throws on an entry that is not an IP or CIDR, naming it.
 */
export class Allowlist {
  private readonly global: EntryGroup;
  private readonly agents = new Map<string, EntryGroup>();

  constructor(entries: readonly AllowlistEntry[]) {
    this.global = new EntryGroup(entries.filter((entry) => entry.agentId == null));
    const byAgent = new Map<string, AllowlistEntry[]>();
    for (const entry of entries) if (entry.agentId != null) byAgent.set(entry.agentId, [...(byAgent.get(entry.agentId) ?? []), entry]);
    for (const [agentId, group] of byAgent) this.agents.set(agentId, new EntryGroup(group));
  }

  /** See {@link findAllowlistMatch}. */
  match(target: string, context: AllowlistContext): AllowlistMatch | null {
    if (normalizeCidr(target, { strict: false }) === null) throw new Error(`"${target}" is not an IP address or CIDR`);
    const global = this.global.match(target);
    if (global !== null) return { source: 'global', cidr: global.cidr, note: global.entry.note ?? null, agentId: null, jail: null };
    const groups = context.agentId === null ? [...this.agents.values()] : [this.agents.get(context.agentId)].filter((g) => g !== undefined);
    for (const group of groups) {
      const hit = group.match(target);
      if (hit !== null) return { source: 'agent', cidr: hit.cidr, note: hit.entry.note ?? null, agentId: hit.entry.agentId ?? null, jail: null };
    }
    const jail = context.jail;
    const inJail = jail === undefined ? null : ignoreipOf(jail).match(target);
    if (jail === undefined || inJail === null) return null;
    return { source: 'jail', cidr: formatCidr(inJail), note: null, agentId: null, jail: jail.name };
  }
}

/** A jail's ignoreip, parsed once per jail object (jails are immutable values once validated). */
const ignoreipSets = new WeakMap<object, CidrSet>();
function ignoreipOf(jail: Pick<Jail, 'ignoreip'>): CidrSet {
  let set = ignoreipSets.get(jail);
  if (set === undefined) {
    set = new CidrSet(jail.ignoreip);
    ignoreipSets.set(jail, set);
  }
  return set;
}

/**
 * The allowlist entry that overlaps `target` (an IP or a CIDR), or null. Global entries always apply; an agent's
 * entries apply when the ban reaches that agent, so a fleet-wide ban (agentId null) yields to every agent's entries.
 * The jail's ignoreip applies when a jail is given. Throws on an unparsable target or entry: refusing is the safe side.
 */
export function findAllowlistMatch(target: string, allowlist: Allowlist | readonly AllowlistEntry[], context: AllowlistContext): AllowlistMatch | null {
  return (allowlist instanceof Allowlist ? allowlist : new Allowlist(allowlist)).match(target, context);
}

/** Names a match for a human: `global allowlist 10.0.0.0/8 (office)`, `jail asterisk ignoreip 127.0.0.0/8`. */
export function describeAllowlistMatch(match: AllowlistMatch): string {
  const where = match.source === 'jail' ? `jail ${match.jail} ignoreip` : match.source === 'agent' ? `allowlist of agent ${match.agentId}` : 'global allowlist';
  return `${where} ${match.cidr}${match.note ? ` (${match.note})` : ''}`;
}
