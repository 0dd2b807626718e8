import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ApiTokensService } from '../tokens/api-tokens.service';
import type { ApiRequest } from './api-request';
import { CallerAddress } from './caller-address';
import { RateLimiter } from './rate-limiter';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every /api/v1 route: a valid API token (not an agent token) is required; viewers may only read.
 * Throws domain errors, mapped to 401/403 by the API's error filter. Each failed login spends its address's
 * rate-limit bucket (429 once empty), so an address guessing tokens gets the API's rate. A valid token is never
 * refused for its address: behind a proxy nobody told us to trust, every caller shares the proxy's address.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly limiter: RateLimiter,
    private readonly callers: CallerAddress,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? await this.tokens.authenticate(match[1] as string) : null;
    if (!principal) {
      const address = `ip:${this.callers.of(request)}`;
      this.limiter.refuseIfExhausted(address);
      this.limiter.spend(address);
      throw new DomainError('unauthenticated', match ? 'this API token is unknown or revoked: ask an admin for a valid one' : 'no API token: send "Authorization: Bearer <token>" (fleetban CLI: --token or FLEETBAN_TOKEN)');
    }
    if (principal.role !== 'admin' && !READS.has(request.method)) {
      throw new DomainError('forbidden', `token "${principal.name}" has the viewer role: it can read, not change; use an admin token`);
    }
    request.principal = principal;
    return true;
  }
}
