import { ApiError, UnreachableError } from '../http/api-error';
import { UsageError } from './cli-command';

/** The process exit codes, as `fleetban --help` documents them. */
export const EXIT = {
  ok: 0,
  /** The server answered with an error (4xx other than 401/403, 5xx). */
  server: 1,
  /** Unknown command or flag, missing or bad argument. */
  usage: 2,
  /** No answer from the server. */
  unreachable: 3,
  /** 401 or 403: no valid token, or a viewer token on a write. */
  auth: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  return status === 401 || status === 403 ? EXIT.auth : EXIT.server;
}

/** The exit code of anything a command may throw; a bug (anything else) is reported like a server failure. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof UnreachableError) return EXIT.unreachable;
  if (error instanceof ApiError) return exitCodeForStatus(error.status);
  return EXIT.server;
}

/**
 * What to tell the operator about a failure: what happened and what to do next. Never contains the token.
 * `hints` are the command's advice by error code or status (e.g. what to do about `allowlisted`).
 */
export function describeFailure(error: unknown, hints: Record<string, string> = {}): string {
  if (error instanceof UnreachableError) {
    return `cannot reach the fleetban server at ${error.url} (${error.reason}).\nCheck --url or FLEETBAN_URL, and that fleetban-server is running and listening there.`;
  }
  if (error instanceof ApiError) return describeApiError(error, hints);
  return error instanceof Error ? error.message : String(error);
}

function describeApiError(error: ApiError, hints: Record<string, string>): string {
  const what = `${error.message}${error.field && !error.message.includes(error.field) ? ` (field: ${error.field})` : ''}`;
  const advice = hints[error.code] ?? hints[String(error.status)] ?? adviceFor(error);
  return `${what} [${error.status} ${error.code}]${advice ? `\n${advice}` : ''}`;
}

function adviceFor(error: ApiError): string | undefined {
  switch (error.status) {
    case 401:
      return 'Pass an API token with --token or FLEETBAN_TOKEN (the server prints the first admin token at its first start, or takes it from FLEETBAN_ADMIN_TOKEN; `fleetban token add` makes more).';
    case 403:
      return 'This token may not do that: viewer tokens are read-only, writes need an admin token (`fleetban token add NAME --role admin`).';
    case 400:
      return error.field ? `Fix the value of ${error.field} and try again.` : 'Fix the arguments and try again (`fleetban <command> --help`).';
    case 429:
      return `The server is rate limiting this client: try again${error.retryAfter === undefined ? ' later' : ` in ${error.retryAfter}s`}.`;
    default:
      return error.status >= 500 ? 'The server failed: its log (pino JSON) says why; try again once it is healthy.' : undefined;
  }
}
