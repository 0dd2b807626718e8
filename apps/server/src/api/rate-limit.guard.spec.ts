import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/domain-error';
import { CallerAddress } from './caller-address';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';

const contextFor = (request: object): ExecutionContext => ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

describe('RateLimitGuard', () => {
  it('lets a burst of 200 through, then refuses with rate_limited and Retry-After, then refills at 50/s', () => {
    const limiter = new RateLimiter();
    const guard = new RateLimitGuard(limiter, new CallerAddress({ trustedProxies: [] }));
    let now = 1_000_000;
    limiter.now = () => now;
    const caller = contextFor({ principal: { name: 'ops', role: 'viewer' } });
    for (let i = 0; i < 200; i++) expect(guard.canActivate(caller)).toBe(true);
    let refused: unknown;
    try {
      guard.canActivate(caller);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterS: 1 });
    now += 100; // 5 tokens back
    for (let i = 0; i < 5; i++) expect(guard.canActivate(caller)).toBe(true);
    expect(() => guard.canActivate(caller)).toThrow(/too many requests/);
  });

  it('keeps one bucket per caller: a flooding token does not slow down another, nor an address', () => {
    const limiter = new RateLimiter();
    const guard = new RateLimitGuard(limiter, new CallerAddress({ trustedProxies: [] }));
    limiter.now = () => 0;
    const flooder = contextFor({ principal: { name: 'script', role: 'admin' } });
    for (let i = 0; i < 200; i++) guard.canActivate(flooder);
    expect(() => guard.canActivate(flooder)).toThrow();
    expect(guard.canActivate(contextFor({ principal: { name: 'ops', role: 'admin' } }))).toBe(true);
    expect(guard.canActivate(contextFor({ headers: {}, socket: { remoteAddress: '192.0.2.1' } }))).toBe(true);
  });

  it('keys an unauthenticated caller by its address: behind a trusted proxy, the client X-Forwarded-For names', () => {
    const limiter = new RateLimiter();
    const guard = new RateLimitGuard(limiter, new CallerAddress({ trustedProxies: ['172.28.0.0/16'] }));
    limiter.now = () => 0;
    const via = (peer: string, forwardedFor: string) => contextFor({ headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } });
    for (let i = 0; i < 200; i++) guard.canActivate(via('172.28.0.2', '198.51.100.7'));
    expect(() => guard.canActivate(via('172.28.0.3', '198.51.100.7'))).toThrow(/too many requests/);
    expect(guard.canActivate(via('172.28.0.2', '198.51.100.8'))).toBe(true);
    // From an untrusted peer the header is the attacker's: it buys no new bucket.
    for (let i = 0; i < 200; i++) guard.canActivate(via('203.0.113.9', `192.0.2.${i}`));
    expect(() => guard.canActivate(via('203.0.113.9', '192.0.2.250'))).toThrow(/too many requests/);
  });
});
