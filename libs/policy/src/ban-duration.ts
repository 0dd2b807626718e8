import type { Jail } from './jail.schema';

/** fail2ban caps the exponent at 20 (`1<<(ban.Count if ban.Count<20 else 20)`). */
const MAX_EXPONENT = 20;

/**
 * Ban length in seconds for the IP's `level`-th repeat ban (0 = first ban), or null for permanent.
 * Follows fail2ban's bantime.increment (server/jail.py setBanTimeExtra, server/observer.py incrBanTime):
 * the first ban is `bantime`; later ones use `multipliers` if set (bantime × factor × multipliers[min(level, last)]),
 * else the formula: 'fail2ban' = max(bantime, bantime × 2^min(level, 20) × factor),
 * 'exp' = max(bantime, bantime × e^(level × factor)); then capped at `maxtime`.
 * With factor 1, bantime 1d and maxtime 7d: 1d, 2d, 4d, 7d, 7d.
 */
export function banDuration(jail: Pick<Jail, 'bantime' | 'increment'>, level: number): number | null {
  if (jail.bantime === 'permanent') return null;
  const { enabled, factor, formula, multipliers, maxtime } = jail.increment;
  if (!enabled || level <= 0) return jail.bantime;
  let seconds: number;
  if (multipliers !== null) {
    seconds = jail.bantime * factor * (multipliers[Math.min(level, multipliers.length - 1)] as number);
  } else if (formula === 'exp') {
    seconds = Math.max(jail.bantime, jail.bantime * Math.exp(level * factor));
  } else {
    seconds = Math.max(jail.bantime, jail.bantime * 2 ** Math.min(level, MAX_EXPONENT) * factor);
  }
  if (maxtime !== null) seconds = Math.min(seconds, maxtime);
  return Math.round(seconds);
}
