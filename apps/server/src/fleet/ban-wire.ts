import { normalizeCidr } from '@fleetban/ip';
import type { WireBan } from '@fleetban/protocol';
import type { ActiveBanRow, BanChangeRow } from './ban-change.repository';

/** PostgreSQL's inet text to the protocol's canonical form (also clears host bits an inet may carry). */
export function canonicalTarget(target: string): string {
  return normalizeCidr(target, { strict: false }) ?? target;
}

export function toWireBan(row: Pick<ActiveBanRow, 'target' | 'expiresAt' | 'jail' | 'origin'>): WireBan {
  return { ip: canonicalTarget(row.target), until: row.expiresAt === null ? null : row.expiresAt.getTime(), jail: row.jail ?? row.origin };
}

/** Whether the change concerns this agent: fleet-wide changes concern all, host-scoped ones only their host. */
export const concernsAgent = (row: Pick<BanChangeRow, 'agentId'>, agentId: number): boolean => row.agentId === null || row.agentId === agentId;

const endsLater = (a: ActiveBanRow, b: ActiveBanRow): boolean => b.expiresAt !== null && (a.expiresAt === null || a.expiresAt > b.expiresAt);

/**
 * What the agent must enforce, per target, given active bans: of those that reach it (fleet-wide, or of its
 * host), the one that ends last. The agent keys its set by address, so it is sent one ban per address, and
 * lifting one of two bans on an address leaves the other in force.
 */
export function enforcedBans(active: readonly ActiveBanRow[], agentId: number): Map<string, ActiveBanRow> {
  const enforced = new Map<string, ActiveBanRow>();
  for (const ban of active) {
    if (!concernsAgent(ban, agentId)) continue;
    const target = canonicalTarget(ban.target);
    const current = enforced.get(target);
    if (current === undefined || endsLater(ban, current)) enforced.set(target, ban);
  }
  return enforced;
}

/**
 * The delta that brings the agent from before `rows` to `active` (the bans in force on their targets, read after
 * them) on every target they touch: an `add` of the ban it must now enforce there, or a `remove` when none is left.
 * A target is in `add` or in `remove`, never both, so the agent may apply the lists in any order.
 */
export function deltaFor(rows: readonly BanChangeRow[], active: readonly ActiveBanRow[], agentId: number): { add: WireBan[]; remove: string[] } {
  const touched = new Set(rows.filter((row) => concernsAgent(row, agentId)).map((row) => canonicalTarget(row.target)));
  const enforced = enforcedBans(active, agentId);
  const add: WireBan[] = [];
  const remove: string[] = [];
  for (const target of touched) {
    const ban = enforced.get(target);
    if (ban) add.push(toWireBan(ban));
    else remove.push(target);
  }
  return { add, remove };
}
