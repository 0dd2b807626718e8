import type { ApiRequest } from '../cli/cli-command';
import { ApiError, UnreachableError, apiErrorFrom, unreachableReason } from './api-error';

/** Items per page when the caller wants everything: the API's maximum. */
const MAX_PAGE = 1000;

/** A list answer, after following its cursors. */
export interface ListResult {
  items: unknown[];
  /** Items were left on the server because of the limit. */
  truncated: boolean;
}

/** The admin API over fetch. The token only ever goes into the Authorization header. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Sends one request; a list request follows `nextCursor` and resolves to the items. */
  async run(request: ApiRequest): Promise<unknown> {
    return request.list ? this.list(request, request.list) : this.send(request);
  }

  async list(request: ApiRequest, list: NonNullable<ApiRequest['list']>): Promise<ListResult> {
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (;;) {
      const wanted = list.limit === undefined ? MAX_PAGE : Math.min(MAX_PAGE, list.limit - items.length);
      const query = { ...request.query, ...(list.paginated ? { limit: String(wanted) } : {}), cursor };
      const page = await this.send({ ...request, query });
      const { items: pageItems, nextCursor } = listPage(page, request.path);
      items.push(...pageItems);
      cursor = nextCursor;
      if (cursor === undefined) return { items, truncated: false };
      if (list.limit !== undefined && items.length >= list.limit) return { items: items.slice(0, list.limit), truncated: true };
    }
  }

  async send(request: ApiRequest): Promise<unknown> {
    const url = this.urlOf(request);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: { accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UnreachableError(this.baseUrl, unreachableReason(error));
    }
    const text = await response.text().catch((error: unknown) => {
      throw new UnreachableError(this.baseUrl, `the answer broke off: ${unreachableReason(error)}`);
    });
    if (!response.ok) throw apiErrorFrom(response.status, response.statusText, text, response.headers.get('retry-after'));
    if (text === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(response.status, 'not_json', `${url.pathname} answered ${response.status} without JSON: is ${this.baseUrl} a fleetban server?`);
    }
  }

  private urlOf(request: ApiRequest): URL {
    // Keeps any path prefix of the base URL (a reverse proxy's /fleetban/): new URL('/api', base) would drop it.
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/api/v1${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url;
  }
}

function listPage(page: unknown, path: string): { items: unknown[]; nextCursor: string | undefined } {
  const body = (typeof page === 'object' && page !== null ? page : {}) as { items?: unknown; nextCursor?: unknown };
  if (!Array.isArray(body.items)) throw new ApiError(200, 'bad_response', `${path} did not answer with {items: [...]}: is the server a matching fleetban version?`);
  return { items: body.items, nextCursor: typeof body.nextCursor === 'string' && body.nextCursor !== '' ? body.nextCursor : undefined };
}
