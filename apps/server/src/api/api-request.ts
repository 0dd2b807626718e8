import type { Request } from 'express';
import type { ApiPrincipal } from '../tokens/api-token';

/** An API request once authenticated. */
export interface ApiRequest extends Request {
  principal?: ApiPrincipal;
}

/** The caller's address (the proxy's, unless the app trusts X-Forwarded-For: see main's trust proxy setting). */
export const remoteAddressOf = (request: Request): string | null => request.ip ?? request.socket.remoteAddress ?? null;
