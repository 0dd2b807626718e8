import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('refuses an empty bucket without spending, and a clock that goes back neither refills nor empties it', () => {
    const limiter = new RateLimiter();
    let now = 1_000_000;
    limiter.now = () => now;
    limiter.spend('token:ops'); // a caller that has 199 requests left
    for (let i = 0; i < 200; i++) {
      limiter.refuseIfExhausted('ip:198.51.100.7');
      limiter.spend('ip:198.51.100.7');
    }
    expect(() => limiter.refuseIfExhausted('ip:198.51.100.7')).toThrow(/too many requests/);
    now -= 60_000; // NTP steps the clock back a minute
    expect(() => limiter.refuseIfExhausted('ip:198.51.100.7')).toThrow(/too many requests/);
    expect(() => limiter.refuseIfExhausted('token:ops')).not.toThrow();
    now += 60_000 + 20; // one request back, counted from the latest time seen
    expect(() => limiter.refuseIfExhausted('ip:198.51.100.7')).not.toThrow();
    // A bucket made after the step back starts full.
    expect(() => limiter.refuseIfExhausted('ip:198.51.100.8')).not.toThrow();
  });
});
