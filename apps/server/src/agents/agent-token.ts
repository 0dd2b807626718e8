import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'fbt_';

/** A new enrollment token: 32 random bytes, so a plain SHA-256 is a sufficient (and fast) stored hash. */
export function generateAgentToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a token. Never log or store the token itself. */
export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cheap shape check before touching the database: refuses obviously foreign strings. */
export function looksLikeAgentToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX) && token.length === TOKEN_PREFIX.length + 43;
}
