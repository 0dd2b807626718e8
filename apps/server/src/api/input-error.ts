import type { z } from 'zod';
import { DomainError } from '../common/domain-error';

/** Bad input from an API caller: which field, and what is wrong with it. Mapped to 400. */
export class InputError extends DomainError {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super('invalid_input', message);
  }
}

/** Parses request input with a zod schema, or throws an InputError naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'path' = 'body'): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : null;
  throw new InputError(`${where}${field ? ` field "${field}"` : ''}: ${issue?.message ?? 'invalid'}`, field);
}
