import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ApiTokensService } from '../tokens/api-tokens.service';
import type { ApiRequest } from './api-request';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every /api/v1 route: a valid API token (not an agent token) is required; viewers may only read.
 * Throws domain errors, mapped to 401/403 by the API's error filter.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly tokens: ApiTokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new DomainError('unauthenticated', 'no API token: send "Authorization: Bearer <token>" (fleetban CLI: --token or FLEETBAN_TOKEN)');
    const principal = await this.tokens.authenticate(match[1] as string);
    if (!principal) throw new DomainError('unauthenticated', 'this API token is unknown or revoked: ask an admin for a valid one');
    if (principal.role !== 'admin' && !READS.has(request.method)) {
      throw new DomainError('forbidden', `token "${principal.name}" has the viewer role: it can read, not change; use an admin token`);
    }
    request.principal = principal;
    return true;
  }
}
