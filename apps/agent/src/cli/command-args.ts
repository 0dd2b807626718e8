import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './agent-command';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with usage errors the dispatcher prints with the command's usage (exit 2). */
export function readOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
