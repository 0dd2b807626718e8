import type { Ban } from '../api/api-types';
import { tableOrEmpty } from './table.formatter';
import { formatTime } from './time.formatter';

/** Where a ban applies: the whole fleet, or one agent's host. */
export const banScope = (ban: Ban): string => (ban.scope === 'host' ? `host ${ban.agent ?? '?'}` : 'fleet');

/** When a ban ends: its expiry (absolute and relative), permanent, or when it was lifted. */
export function banUntil(ban: Ban, now: number): string {
  if (ban.liftedAt) return `lifted ${formatTime(ban.liftedAt, now)}`;
  if (ban.expiresAt === null) return 'permanent';
  const expired = Date.parse(ban.expiresAt) <= now;
  return `${expired ? 'expired ' : ''}${formatTime(ban.expiresAt, now)}`;
}

/** The reason shown for a ban: its own, or for automatic bans a summary of the evidence. */
export function banReason(ban: Ban): string {
  if (ban.reason) return ban.reason;
  const e = ban.evidence;
  if (!e || e.failures === undefined) return ban.origin;
  return `${e.failures} failures${e.agents?.length ? ` on ${e.agents.length} agent${e.agents.length === 1 ? '' : 's'}` : ''}`;
}

/** The bans table: ip, jail, scope, until, reason. */
export function banTable(bans: Ban[], now: number, empty: string): string {
  return tableOrEmpty(
    ['ip', 'jail', 'scope', 'until', 'reason'],
    bans.map((b) => [b.ip, b.jail, banScope(b), banUntil(b, now), banReason(b)]),
    empty,
  );
}

/** "1 ban" / "3 bans". */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;
