import { z } from 'zod';
import { InputError } from './input-error';

export const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** Cursors are opaque to callers: the last id of the previous page, base64url. */
export function encodeCursor(id: string | bigint | number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): bigint | null {
  if (cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!/^\d{1,19}$/.test(text)) throw new InputError('query field "cursor": not a cursor returned by this API', 'cursor');
  return BigInt(text);
}

/** `{items, nextCursor}` from a page fetched with limit + 1 rows. */
export function page<T extends { id: string | number }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
