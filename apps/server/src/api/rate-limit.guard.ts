import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ApiRequest } from './api-request';
import { CallerAddress } from './caller-address';
import { RateLimiter } from './rate-limiter';

/**
 * Limits each caller: by token name once authenticated, else by address (behind trusted proxies, the client's).
 * Runs after ApiAuthGuard, which spends the address's bucket on each failed login.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly callers: CallerAddress,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    const caller = request.principal ? `token:${request.principal.name}` : `ip:${this.callers.of(request)}`;
    this.limiter.refuseIfExhausted(caller);
    this.limiter.spend(caller);
    return true;
  }
}
