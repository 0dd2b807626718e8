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

/** Which agent a ban would reach: one agent, or every agent (null). */
export interface AllowlistContext {
  agentId: string | null;
  jail?: Pick<Jail, 'name' | 'ignoreip'>;
}

/**
 * The allowlist entry that overlaps `target` (an IP or a CIDR), or null. Global entries always apply; an agent's
 * entries apply when the ban reaches that agent, so a fleet-wide ban (agentId null) yields to every agent's entries.
 * The jail's ignoreip applies when a jail is given. Throws on an unparsable target or entry: refusing is the safe side.
 */
export function findAllowlistMatch(target: string, entries: readonly AllowlistEntry[], context: AllowlistContext): AllowlistMatch | null {
  if (normalizeCidr(target, { strict: false }) === null) throw new Error(`"${target}" is not an IP address or CIDR`);
  const applicable = entries.filter((entry) => entry.agentId == null || context.agentId === null || entry.agentId === context.agentId);
  const found = matchIn(target, applicable.map((entry) => entry.cidr));
  if (found !== null) {
    const entry = applicable[found.index] as AllowlistEntry;
    return { source: entry.agentId == null ? 'global' : 'agent', cidr: found.cidr, note: entry.note ?? null, agentId: entry.agentId ?? null, jail: null };
  }
  const jail = context.jail;
  const inJail = jail === undefined ? null : matchIn(target, jail.ignoreip);
  if (jail === undefined || inJail === null) return null;
  return { source: 'jail', cidr: inJail.cidr, note: null, agentId: null, jail: jail.name };
}

function matchIn(target: string, cidrs: readonly string[]): { cidr: string; index: number } | null {
  if (cidrs.length === 0) return null;
  const hit = new CidrSet(cidrs).match(target);
  if (hit === null) return null;
  const cidr = formatCidr(hit);
  return { cidr, index: cidrs.findIndex((entry) => normalizeCidr(entry, { strict: false }) === cidr) };
}

/** Names a match for a human: `global allowlist 10.0.0.0/8 (office)`, `jail asterisk ignoreip 127.0.0.0/8`. */
export function describeAllowlistMatch(match: AllowlistMatch): string {
  const where = match.source === 'jail' ? `jail ${match.jail} ignoreip` : match.source === 'agent' ? `allowlist of agent ${match.agentId}` : 'global allowlist';
  return `${where} ${match.cidr}${match.note ? ` (${match.note})` : ''}`;
}
