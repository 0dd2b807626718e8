import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/domain-error';
import { RateLimitGuard } from './rate-limit.guard';

const contextFor = (request: object): ExecutionContext => ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

describe('RateLimitGuard', () => {
  it('lets a burst of 200 through, then refuses with rate_limited and Retry-After, then refills at 50/s', () => {
    const guard = new RateLimitGuard();
    let now = 1_000_000;
    guard.now = () => now;
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
    const guard = new RateLimitGuard();
    guard.now = () => 0;
    const flooder = contextFor({ principal: { name: 'script', role: 'admin' } });
    for (let i = 0; i < 200; i++) guard.canActivate(flooder);
    expect(() => guard.canActivate(flooder)).toThrow();
    expect(guard.canActivate(contextFor({ principal: { name: 'ops', role: 'admin' } }))).toBe(true);
    expect(guard.canActivate(contextFor({ ip: '192.0.2.1', socket: {} }))).toBe(true);
  });
});
