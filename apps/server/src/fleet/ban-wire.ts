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
export const concernsAgent = (row: BanChangeRow, agentId: number): boolean => row.agentId === null || row.agentId === agentId;

/**
 * The net effect of consecutive changes as one delta: per target only the last change counts, so a target
 * is either in `add` or in `remove`, never both, and the agent may apply the lists in any order.
 */
export function netDelta(rows: readonly BanChangeRow[]): { add: WireBan[]; remove: string[] } {
  const last = new Map<string, BanChangeRow>();
  for (const row of rows) {
    const target = canonicalTarget(row.target);
    last.delete(target); // keep the map in the order of last change
    last.set(target, row);
  }
  const add: WireBan[] = [];
  const remove: string[] = [];
  for (const [target, row] of last) {
    if (row.op === 'add') add.push(toWireBan(row));
    else remove.push(target);
  }
  return { add, remove };
}
