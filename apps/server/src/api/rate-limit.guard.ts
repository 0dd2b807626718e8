import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { remoteAddressOf, type ApiRequest } from './api-request';

/** Requests per second a caller may sustain, and the burst it may spend at once (per instance). */
const RATE_PER_S = 50;
const BURST = 200;
const MAX_CALLERS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per caller (token name once authenticated, else address): scripts polling in a loop or a
 * leaked token guessing cannot swamp the server. Runs after authentication, so failed logins are limited by address.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets = new Map<string, Bucket>();
  /** The clock; specs move it by hand. */
  now: () => number = Date.now;

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    const caller = request.principal ? `token:${request.principal.name}` : `ip:${remoteAddressOf(request)}`;
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * RATE_PER_S);
    bucket.at = now;
    if (this.buckets.size >= MAX_CALLERS && !this.buckets.has(caller)) this.buckets.clear();
    this.buckets.set(caller, bucket);
    if (bucket.tokens < 1) {
      const error = new DomainError('rate_limited', `too many requests: at most ${RATE_PER_S} per second; slow down and retry`) as DomainError & { retryAfterS?: number };
      error.retryAfterS = 1;
      throw error;
    }
    bucket.tokens -= 1;
    return true;
  }
}
