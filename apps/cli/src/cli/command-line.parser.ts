import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CommandInput, type OptionSpec } from './cli-command';

export const DEFAULT_URL = 'http://127.0.0.1:8420';

/** Flags every command takes, before or after its name. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export interface Connection {
  url: string;
  token: string | undefined;
}

/** What the command line asks for: help on a topic (overview when absent), or running a command. */
export type Invocation =
  | { kind: 'help'; topic?: string }
  | { kind: 'run'; command: CliCommand; input: CommandInput; json: boolean; connection: Connection };

type Values = Record<string, string | boolean | undefined>;

/**
 * Parses `fleetban [global flags] <command> [args and flags]` against the command table. Flags win over
 * FLEETBAN_URL / FLEETBAN_TOKEN. Throws {@link UsageError} naming the problem and the help topic to show.
 */
export function parseCommandLine(argv: string[], env: Record<string, string | undefined>, commands: readonly CliCommand[], now: number): Invocation {
  const start = commandStart(argv);
  const leading = parseFlags(argv.slice(0, start), GLOBAL_OPTIONS, undefined).values;
  const rest = argv.slice(start);
  if (rest[0] === undefined) {
    if (leading.help === true) return { kind: 'help' };
    throw new UsageError('missing command');
  }
  if (rest[0] === 'help') return { kind: 'help', topic: helpTopic(rest.slice(1), commands) };
  const { command, args } = resolveCommand(rest, commands, leading.help === true);
  if (command === null) return { kind: 'help', topic: args[0] };
  const parsed = parseFlags(args, { ...GLOBAL_OPTIONS, ...command.options }, command.name);
  const { url, token, json, help, ...values } = { ...leading, ...definedOnly(parsed.values) };
  if (help === true) return { kind: 'help', topic: command.name };
  return { kind: 'run', command, input: { positionals: parsed.positionals, values, now }, json: json === true, connection: connectionOf(url, token, env) };
}

/** Index of the command's name: the first word that is neither a global flag nor a global flag's value. */
function commandStart(argv: string[]): number {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === '--') return i + 1;
    if (!arg.startsWith('-') || arg === '-') return i;
    i += arg === '--url' || arg === '--token' ? 2 : 1;
  }
  return i;
}

function parseFlags(args: string[], options: OptionSpec, topic: string | undefined): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: topic !== undefined, strict: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    // Node's messages run on with advice about '--' that does not help here; the first sentence names the problem.
    const text = (error as Error).message;
    const message = (text.split(/\.\s/)[0] ?? 'bad arguments').replace(/\.$/, '');
    const option = /Option '(--[\w-]+)' argument is ambiguous/.exec(text)?.[1];
    throw new UsageError(option ? `${message}: write ${option}=VALUE for a value that starts with '-'` : message, topic);
  }
}

const definedOnly = (values: Values): Values => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));

/** `allow add ...` (a two-word command) before `bans ...` (one word); a group name alone shows the group's help. */
function resolveCommand(rest: string[], commands: readonly CliCommand[], help: boolean): { command: CliCommand; args: string[] } | { command: null; args: [string] } {
  const [first, second] = rest as [string, ...string[]];
  const pair = commands.find((c) => c.name === `${first} ${second}`);
  if (pair) return { command: pair, args: rest.slice(2) };
  const single = commands.find((c) => c.name === first);
  if (single) return { command: single, args: rest.slice(1) };
  if (!commands.some((c) => c.name.startsWith(`${first} `))) throw new UsageError(`unknown command '${first}'`);
  if (help || second === '--help' || second === '-h') return { command: null, args: [first] };
  throw new UsageError(second === undefined ? `'${first}' needs a subcommand` : `unknown command '${first} ${second}'`, first);
}

function helpTopic(words: string[], commands: readonly CliCommand[]): string | undefined {
  if (words.length === 0) return undefined;
  const two = words.slice(0, 2).join(' ');
  if (commands.some((c) => c.name === two)) return two;
  const [one] = words as [string];
  if (commands.some((c) => c.name === one || c.name.startsWith(`${one} `))) return one;
  throw new UsageError(`no help on '${words.join(' ')}': unknown command`);
}

function connectionOf(urlFlag: string | boolean | undefined, tokenFlag: string | boolean | undefined, env: Record<string, string | undefined>): Connection {
  const fromFlag = typeof urlFlag === 'string';
  const url = fromFlag ? urlFlag : env.FLEETBAN_URL || DEFAULT_URL;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`${fromFlag ? '--url' : 'FLEETBAN_URL'} must be an http:// or https:// URL such as ${DEFAULT_URL}, got '${url}'`);
  }
  const token = typeof tokenFlag === 'string' ? tokenFlag : env.FLEETBAN_TOKEN || undefined;
  return { url: url.replace(/\/+$/, ''), token: token === '' ? undefined : token };
}
