import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';

/** Requests per second a caller may sustain, and the burst it may spend at once (per instance). */
const RATE_PER_S = 50;
const BURST = 200;
const MAX_CALLERS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per caller (`token:<name>` or `ip:<address>`), shared by the guards that spend it: scripts polling
 * in a loop, or an address guessing tokens, cannot swamp the server.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** The clock; specs and tests hold it still or move it by hand. */
  now: () => number = Date.now;

  /** Throws rate_limited when `caller` has no request left, spending nothing. */
  refuseIfExhausted(caller: string): void {
    if (this.refill(caller).tokens >= 1) return;
    const error = new DomainError('rate_limited', `too many requests: at most ${RATE_PER_S} per second; slow down and retry`) as DomainError & { retryAfterS?: number };
    error.retryAfterS = 1;
    throw error;
  }

  spend(caller: string): void {
    this.refill(caller).tokens -= 1;
  }

  private refill(caller: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * RATE_PER_S);
    bucket.at = Math.max(bucket.at, now);
    if (this.buckets.size >= MAX_CALLERS && !this.buckets.has(caller)) this.buckets.clear();
    this.buckets.set(caller, bucket);
    return bucket;
  }
}
