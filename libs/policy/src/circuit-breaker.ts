const MINUTE_MS = 60_000;

export const DEFAULT_BANS_PER_MINUTE = 500;
export const DEFAULT_BREAKER_COOLDOWN_S = 300;

export interface CircuitBreakerOptions {
  /** Most automatic bans in any 60 s; reaching it trips the breaker. Default 500. */
  limitPerMinute?: number;
  /** Once tripped, automatic banning stays paused this long after the tripping ban. Default 300 s. */
  cooldownS?: number;
}

export interface CircuitBreakerState {
  paused: boolean;
  /** Automatic bans in (now - 60 s, now]. */
  bansLastMinute: number;
  limit: number;
  /** The ban that last brought a 60 s window to the limit, or null. */
  trippedAt: number | null;
  /** When automatic banning resumes, if paused. */
  resumesAt: number | null;
  reason: string;
}

/**
 * Whether automatic banning is paused, from the times (epoch ms) of recent automatic bans, which the worker keeps
 * (see {@link pruneBanTimes}). Manual bans are not the breaker's business: never pass them. Pauses when the last
 * minute already holds `limit` bans, and for `cooldownS` after any minute reached it, so a parser or config
 * mistake cannot ban the world in bursts of `limit`.
 */
export function circuitBreaker(banTimes: readonly number[], now: number, options: CircuitBreakerOptions = {}): CircuitBreakerState {
  const limit = options.limitPerMinute ?? DEFAULT_BANS_PER_MINUTE;
  const cooldownMs = (options.cooldownS ?? DEFAULT_BREAKER_COOLDOWN_S) * 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limitPerMinute must be an integer >= 1, got ${limit}`);
  const past = banTimes.filter((time) => time <= now).sort((a, b) => a - b);
  const recent = past.filter((time) => time > now - MINUTE_MS);
  const trippedAt = lastTrip(past, limit);
  const rateEnds = recent.length >= limit ? (recent[recent.length - limit] as number) + MINUTE_MS : null;
  const cooldownEnds = trippedAt !== null && now < trippedAt + cooldownMs ? trippedAt + cooldownMs : null;
  const resumesAt = rateEnds === null && cooldownEnds === null ? null : Math.max(rateEnds ?? 0, cooldownEnds ?? 0);
  const state = { paused: resumesAt !== null, bansLastMinute: recent.length, limit, trippedAt, resumesAt };
  const reason = state.paused
    ? `circuit breaker open: ${limit} automatic bans within a minute (tripped at ${new Date(trippedAt ?? now).toISOString()}); automatic banning paused until ${new Date(resumesAt ?? now).toISOString()}, manual bans still work`
    : `circuit breaker closed: ${recent.length}/${limit} automatic bans in the last minute`;
  return { ...state, reason };
}

/** The latest ban that completed `limit` bans within 60 s (sorted input), or null. */
function lastTrip(sorted: readonly number[], limit: number): number | null {
  for (let i = sorted.length - 1; i >= limit - 1; i--) {
    const end = sorted[i] as number;
    if (end - (sorted[i - limit + 1] as number) < MINUTE_MS) return end;
  }
  return null;
}

/** The ban times the breaker can still need at `now`; the worker keeps only these. */
export function pruneBanTimes(banTimes: readonly number[], now: number, options: CircuitBreakerOptions = {}): number[] {
  const horizon = now - MINUTE_MS - (options.cooldownS ?? DEFAULT_BREAKER_COOLDOWN_S) * 1000;
  return banTimes.filter((time) => time > horizon);
}
