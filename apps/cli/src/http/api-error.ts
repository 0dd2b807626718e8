/** The server answered with an error status: what it said, as docs/api.md's `{error: {code, message, field}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Seconds, from Retry-After on a 429. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No HTTP answer at all: refused, unresolvable, timed out, TLS failure. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'UnreachableError';
  }
}

/** The ApiError for a non-2xx answer: the API's error object when the body is one, else the status line. */
export function apiErrorFrom(status: number, statusText: string, body: string, retryAfter: string | null): ApiError {
  const retry = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const error = parseErrorBody(body);
  if (error !== null) return new ApiError(status, error.code, error.message, error.field, retry);
  const snippet = body.trim().slice(0, 200);
  return new ApiError(status, `http_${status}`, `${status} ${statusText}`.trim() + (snippet && !snippet.startsWith('<') ? `: ${snippet}` : ''), undefined, retry);
}

function parseErrorBody(body: string): { code: string; message: string; field?: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, field } = error as Record<string, unknown>;
  if (typeof message !== 'string') return null;
  return { code: typeof code === 'string' ? code : 'error', message, field: typeof field === 'string' ? field : undefined };
}

/** Why fetch failed, in words: undici hides the system error (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function unreachableReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
