import type { Request } from 'express';
import type { ApiPrincipal } from '../tokens/api-token';

/** An API request once authenticated. */
export interface ApiRequest extends Request {
  principal?: ApiPrincipal;
}
