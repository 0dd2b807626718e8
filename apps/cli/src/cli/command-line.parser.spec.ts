import { describe, expect, it } from 'vitest';
import { UsageError, type CliCommand } from './cli-command';
import { DEFAULT_URL, parseCommandLine, type Invocation } from './command-line.parser';
import { COMMANDS } from './commands';

const NOW = Date.parse('2026-11-29T15:00:00Z');
const parse = (argv: string[], env: Record<string, string> = {}): Invocation => parseCommandLine(argv, env, COMMANDS, NOW);
const run = (argv: string[], env: Record<string, string> = {}) => {
  const result = parse(argv, env);
  if (result.kind !== 'run') throw new Error(`expected a command, got help on ${result.topic}`);
  return result;
};
const usageError = (argv: string[]): UsageError => {
  try {
    parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('finds one-word and two-word commands, with their positionals and flags', () => {
    const bans = run(['bans', '--jail', 'asterisk', '--all']);
    expect(bans.command.name).toBe('bans');
    expect(bans.input.values).toEqual({ jail: 'asterisk', all: true });
    const allow = run(['allow', 'add', '10.0.0.0/8', '--note', 'office']);
    expect(allow.command.name).toBe('allow add');
    expect(allow.input.positionals).toEqual(['10.0.0.0/8']);
    expect(allow.input.now).toBe(NOW);
    expect(run(['jails', 'asterisk']).command.name).toBe('jails');
    expect(run(['events', 'top']).command.name).toBe('events top');
  });

  it('takes global flags before or after the command; flags win over the environment', () => {
    const env = { FLEETBAN_URL: 'http://env:1', FLEETBAN_TOKEN: 'env-token' };
    expect(run(['bans'], env).connection).toEqual({ url: 'http://env:1', token: 'env-token' });
    expect(run(['--url', 'http://flag:2', 'bans', '--token', 'flag-token'], env).connection).toEqual({ url: 'http://flag:2', token: 'flag-token' });
    expect(run(['--json', 'bans']).json).toBe(true);
    expect(run(['bans', '--json']).json).toBe(true);
    expect(run(['bans']).json).toBe(false);
    expect(run(['--token=t', 'status']).connection.token).toBe('t');
  });

  it('defaults to the local server without a token; strips trailing slashes', () => {
    expect(run(['status']).connection).toEqual({ url: DEFAULT_URL, token: undefined });
    expect(run(['status'], { FLEETBAN_URL: '', FLEETBAN_TOKEN: '' }).connection).toEqual({ url: DEFAULT_URL, token: undefined });
    expect(run(['status', '--url', 'https://proxy/fleetban/']).connection.url).toBe('https://proxy/fleetban');
  });

  it('keeps global flags out of the command values', () => {
    expect(run(['--url', 'http://a:1', 'ban', '192.0.2.1', '--json', '--for', '2d']).input.values).toEqual({ for: '2d' });
  });

  it('answers help for --help, help, help TOPIC and CMD --help', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
    expect(parse(['-h'])).toEqual({ kind: 'help' });
    expect(parse(['help'])).toEqual({ kind: 'help', topic: undefined });
    expect(parse(['help', 'ban'])).toEqual({ kind: 'help', topic: 'ban' });
    expect(parse(['help', 'allow', 'add'])).toEqual({ kind: 'help', topic: 'allow add' });
    expect(parse(['help', 'allow'])).toEqual({ kind: 'help', topic: 'allow' });
    expect(parse(['ban', '--help'])).toEqual({ kind: 'help', topic: 'ban' });
    expect(parse(['--help', 'bans'])).toEqual({ kind: 'help', topic: 'bans' });
    expect(parse(['allow', '--help'])).toEqual({ kind: 'help', topic: 'allow' });
  });

  it('refuses unknown commands, flags, missing commands and subcommands, naming them', () => {
    expect(usageError([]).message).toBe('missing command');
    expect(usageError(['bogus']).message).toBe("unknown command 'bogus'");
    expect(usageError(['bans', '--bogus'])).toMatchObject({ message: "Unknown option '--bogus'", topic: 'bans' });
    expect(usageError(['--bogus', 'bans']).message).toBe("Unknown option '--bogus'");
    expect(usageError(['allow'])).toMatchObject({ message: "'allow' needs a subcommand", topic: 'allow' });
    expect(usageError(['allow', 'list'])).toMatchObject({ message: "unknown command 'allow list'", topic: 'allow' });
    expect(usageError(['ban', '1.2.3.4', '--for'])).toMatchObject({ topic: 'ban' });
    expect(usageError(['ban', '1.2.3.4', '--for', '-5s']).message).toBe("Option '--for' argument is ambiguous: write --for=VALUE for a value that starts with '-'");
    expect(usageError(['help', 'nothing']).message).toContain("unknown command");
    expect(usageError(['status', '--all']).topic).toBe('status');
  });

  it('refuses a URL that is not http(s), saying where it came from', () => {
    expect(usageError(['status', '--url', 'ftp://x']).message).toContain('--url must be an http:// or https:// URL');
    expect(() => parse(['status'], { FLEETBAN_URL: 'localhost:8420' })).toThrow(/FLEETBAN_URL must be/);
  });

  it('gives the command only the flags it declares', () => {
    const declared = new Set(COMMANDS.flatMap((c: CliCommand) => Object.keys(c.options)));
    for (const global of ['url', 'token', 'json', 'help']) expect(declared.has(global), global).toBe(false);
  });
});
