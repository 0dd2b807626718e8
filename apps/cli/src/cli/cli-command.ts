/** What a command's plan asks of the API: one HTTP request, described as data so plans stay pure and testable. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under /api/v1, already percent-encoded where it carries user input. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /**
   * The answer is a list (`{items, nextCursor}`): the result is the items, following `nextCursor` until the end
   * or `limit` items. `paginated` sends `?limit=` per page (only endpoints that take it).
   */
  list?: { paginated: boolean; limit?: number };
}

/** What the runner passes to a renderer besides the responses. */
export interface RenderContext {
  /** Epoch ms, for relative times ("in 59m", "3h ago"). */
  now: number;
}

/** A command's work, computed from its arguments without I/O: the requests, then how to show their answers. */
export interface Plan {
  requests: ApiRequest[];
  /** Text for people, from the responses in request order (lists already unwrapped to arrays). */
  render(responses: unknown[], ctx: RenderContext): string;
  /** What --json prints; by default the first response (lists as arrays, as the API sends them). */
  json?(responses: unknown[]): unknown;
  /** Advice printed after a server error, by error code (e.g. `allowlisted`) or HTTP status (e.g. `404`). */
  hints?: Record<string, string>;
}

/** Parsed arguments of one command (global flags removed). */
export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  now: number;
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** One `fleetban <name>` command (name may be two words: `allow add`). */
export interface CliCommand {
  name: string;
  summary: string;
  /** Arguments after the name, e.g. `IP|CIDR [--for 1h|2d|permanent] [--reason TEXT]`. */
  args: string;
  /** More help: what the command shows, defaults, examples. */
  details?: string;
  options: OptionSpec;
  /** Throws {@link UsageError} on bad arguments. */
  plan(input: CommandInput): Plan;
}

/** Bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The help topic to print with it: a command's name (`allow add`) or a group (`allow`); none for the overview. */
    readonly topic?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
