import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, mergeMap, type Observable } from 'rxjs';
import type { ApiRequest } from '../api/api-request';
import { CallerAddress } from '../api/caller-address';
import { AuditRepository } from './audit.repository';

const SECRET_KEYS = new Set(['token', 'password', 'secret']);

/** Action names by route: `POST /api/v1/bans` -> `bans.create`. */
function actionOf(method: string, route: string): string {
  const noun = route.replace(/^\/api\/v1\//, '').replace(/\/:[^/]+/g, '').replace(/\//g, '.');
  const verb = method === 'POST' ? (noun.endsWith('lift') ? '' : 'create') : method === 'DELETE' ? 'delete' : method === 'PATCH' || method === 'PUT' ? 'update' : method.toLowerCase();
  return verb ? `${noun}.${verb}` : noun;
}

function withoutSecrets(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([key]) => !SECRET_KEYS.has(key)));
}

/** Records every successful change made through the API: who, what, when, from where. Reads are not audited. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditRepository,
    private readonly callers: CallerAddress,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return next.handle();
    return next.handle().pipe(
      mergeMap((result: unknown) =>
        from(
          (async () => {
            const params = request.params as Record<string, string>;
            const body = (request.body ?? {}) as Record<string, unknown>;
            const target = params.ip ?? params.name ?? params.id ?? (typeof body.ip === 'string' ? body.ip : typeof body.cidr === 'string' ? body.cidr : typeof body.name === 'string' ? body.name : null);
            await this.audit.add({
              actor: request.principal?.name ?? 'unknown',
              action: actionOf(request.method, (request.route as { path?: string } | undefined)?.path ?? request.path),
              target: target ?? null,
              details: withoutSecrets(body),
              remoteAddress: this.callers.of(request),
            });
            return result;
          })(),
        ),
      ),
    );
  }
}
