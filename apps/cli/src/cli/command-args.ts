import { parseDuration } from '@fleetban/policy';
import { UsageError, type CommandInput } from './cli-command';

/**
 * The positional arguments, checked against their names: every `required` one present, at most the `optional` ones
 * after them. Returns them in order (optional ones may be missing).
 */
export function positionals(input: CommandInput, required: string[], optional: string[] = []): string[] {
  const given = input.positionals;
  const missing = required.slice(given.length);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(' ')}`);
  const max = required.length + optional.length;
  if (given.length > max) throw new UsageError(`unexpected argument '${given[max]}'`);
  return given;
}

/** A string flag's value; an empty value counts as missing text, which is a usage error rather than a silent default. */
export function stringFlag(input: CommandInput, name: string): string | undefined {
  const value = input.values[name];
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

export function booleanFlag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

/** `--limit N`: a whole number from 1 to `max`, or `fallback` when absent. */
export function limitFlag(input: CommandInput, fallback: number, max = 100_000): number {
  const text = stringFlag(input, 'limit');
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) throw new UsageError(`--limit must be a whole number from 1 to ${max}, got '${text}'`);
  return value;
}

/** A duration flag (`--since 1h`) in seconds, checked here so that a typo is a usage error, not a server round trip. */
export function durationFlag(input: CommandInput, name: string): number | undefined {
  const text = stringFlag(input, name);
  if (text === undefined) return undefined;
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
  if (seconds <= 0) throw new UsageError(`--${name} must be longer than 0s, got '${text}'`);
  return seconds;
}

/** A user-given value placed in a URL path. */
export const segment = (value: string): string => encodeURIComponent(value);
