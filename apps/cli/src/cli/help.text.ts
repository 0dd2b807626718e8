import type { CliCommand } from './cli-command';
import { DEFAULT_URL } from './command-line.parser';

const GLOBALS = `global flags (before or after the command):
  --url URL      server URL (default: FLEETBAN_URL, else ${DEFAULT_URL})
  --token T      API token (default: FLEETBAN_TOKEN); admin tokens may write, viewer tokens only read
  --json         print the API's JSON instead of tables (lists as arrays), for scripts
  -h, --help     this help, or a command's help: fleetban <command> --help`;

const EXIT_CODES = `exit codes:
  0  success
  1  the server answered with an error (bad input, not found, conflict, rate limit, server failure)
  2  usage error: unknown command or flag, missing or bad argument
  3  cannot reach the server: check --url / FLEETBAN_URL and that fleetban-server runs
  4  not authenticated or not allowed (401/403): pass --token / FLEETBAN_TOKEN, or use an admin token for writes`;

const usageLine = (c: CliCommand): string => `fleetban ${c.name}${c.args ? ` ${c.args}` : ''}`;

/** `fleetban --help`: every command with its summary, the global flags, the environment and the exit codes. */
export function overviewHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: fleetban [--url URL] [--token T] [--json] <command> [arguments]',
    '',
    'Steers a fleetban server: its jails, bans, allowlist, agents, events and API tokens.',
    '',
    'commands:',
    ...lines,
    '',
    GLOBALS,
    '',
    EXIT_CODES,
    '',
    "Run 'fleetban <command> --help' for a command's arguments.",
    '',
  ].join('\n');
}

/** Help on one command (`allow add`), or on a group (`allow`: each of its commands). */
export function topicHelp(topic: string, commands: readonly CliCommand[]): string {
  const exact = commands.find((c) => c.name === topic);
  const shown = exact ? [exact] : commands.filter((c) => c.name.startsWith(`${topic} `));
  const blocks = shown.map((c) => [`usage: ${usageLine(c)}`, '', `${c.summary}.`, ...(c.details ? ['', c.details] : [])].join('\n'));
  return `${blocks.join('\n\n')}\n\n${GLOBALS}\n\n${EXIT_CODES}\n`;
}

/** The usage lines printed under a usage error: the topic's, or every command's. */
export function usageLines(topic: string | undefined, commands: readonly CliCommand[]): string {
  const shown = topic === undefined ? commands : commands.filter((c) => c.name === topic || c.name.startsWith(`${topic} `));
  return `${shown.map((c) => `usage: ${usageLine(c)}`).join('\n')}\n${topic === undefined ? "Run 'fleetban --help' for more." : `Run 'fleetban ${topic} --help' for more.`}\n`;
}
