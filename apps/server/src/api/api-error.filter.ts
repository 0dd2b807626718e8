import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DomainError } from '../common/domain-error';
import { LOGGER } from '../logging/logger';
import { InputError } from './input-error';

/** Domain error codes to HTTP statuses: the one place where the API decides them. Unlisted codes are 400. */
const STATUS_BY_CODE: Record<string, number> = {
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  not_banned: 404,
  ban_not_found: 404,
  agent_not_found: 404,
  jail_not_found: 404,
  allowlist_entry_not_found: 404,
  token_not_found: 404,
  not_found: 404,
  allowlisted: 409,
  already_banned: 409,
  agent_exists: 409,
  token_exists: 409,
};

/** Every error of the API as `{error: {code, message, field?}}`; unexpected ones are logged and reported as 500. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      const field = exception instanceof InputError && exception.field ? { field: exception.field } : {};
      const retry = (exception as DomainError & { retryAfterS?: number }).retryAfterS;
      if (retry) response.setHeader('Retry-After', String(retry));
      response.status(STATUS_BY_CODE[exception.code] ?? 400).json({ error: { code: exception.code, message: exception.message, ...field } });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'not_found' : status === 413 ? 'too_large' : status < 500 ? 'bad_request' : 'internal';
      response.status(status).json({ error: { code, message: exception.message } });
      return;
    }
    this.logger.error({ err: exception }, 'API request failed');
    response.status(500).json({ error: { code: 'internal', message: 'the server failed to handle this request; its log says why' } });
  }
}
