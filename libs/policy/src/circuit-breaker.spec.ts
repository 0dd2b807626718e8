import { describe, expect, it } from 'vitest';
import { circuitBreaker, pruneBanTimes } from './circuit-breaker';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const every = (start: number, n: number, stepMs: number) => Array.from({ length: n }, (_, i) => start + i * stepMs);

describe('circuitBreaker', () => {
  it('stays closed below the limit', () => {
    const state = circuitBreaker(every(T0, 4, 1000), T0 + 5000, { limitPerMinute: 5 });
    expect(state).toMatchObject({ paused: false, bansLastMinute: 4, trippedAt: null, resumesAt: null });
    expect(state.reason).toMatch(/closed: 4\/5/);
  });

  it('trips when a minute reaches the limit, then resets after the cooldown', () => {
    const bans = every(T0, 5, 1000); // the 5th at T0 + 4 s
    const options = { limitPerMinute: 5, cooldownS: 300 };
    const tripped = circuitBreaker(bans, T0 + 5000, options);
    expect(tripped).toMatchObject({ paused: true, bansLastMinute: 5, trippedAt: T0 + 4000, resumesAt: T0 + 4000 + 300_000 });
    expect(tripped.reason).toMatch(/paused until .*manual bans still work/);
    // The minute has passed but the cooldown has not.
    expect(circuitBreaker(bans, T0 + 120_000, options)).toMatchObject({ paused: true, bansLastMinute: 0 });
    expect(circuitBreaker(bans, T0 + 4000 + 300_000, options)).toMatchObject({ paused: false, trippedAt: T0 + 4000 });
  });

  it('without cooldown it is a sliding limit: resumes when the oldest ban of the full minute leaves it', () => {
    const bans = every(T0, 5, 1000);
    const options = { limitPerMinute: 5, cooldownS: 0 };
    expect(circuitBreaker(bans, T0 + 59_999, options)).toMatchObject({ paused: true, resumesAt: T0 + 60_000 });
    expect(circuitBreaker(bans, T0 + 60_000, options)).toMatchObject({ paused: false, bansLastMinute: 4 });
  });

  it('spread bans never trip it', () => {
    const bans = every(T0, 100, 15_000); // 4 per minute
    expect(circuitBreaker(bans, T0 + 100 * 15_000, { limitPerMinute: 5 }).paused).toBe(false);
  });

  it('ignores future times and unsorted input, and rejects a nonsense limit', () => {
    expect(circuitBreaker([T0 + 3000, T0, T0 + 1000, T0 + 99_999], T0 + 3000, { limitPerMinute: 3, cooldownS: 0 })).toMatchObject({ paused: true, bansLastMinute: 3 });
    expect(() => circuitBreaker([], T0, { limitPerMinute: 0 })).toThrow(/limitPerMinute/);
  });

  it('default: 500 per minute', () => {
    expect(circuitBreaker(every(T0, 499, 100), T0 + 50_000).paused).toBe(false);
    expect(circuitBreaker(every(T0, 500, 100), T0 + 50_000).paused).toBe(true);
  });

  it('pruning keeps what a pending cooldown needs', () => {
    const bans = every(T0, 5, 1000);
    const options = { limitPerMinute: 5, cooldownS: 300 };
    const now = T0 + 200_000;
    expect(circuitBreaker(pruneBanTimes(bans, now, options), now, options)).toEqual(circuitBreaker(bans, now, options));
    expect(pruneBanTimes(bans, T0 + 400_000, options)).toEqual([]);
  });
});
