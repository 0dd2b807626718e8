import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token: a recognisable prefix and 32 random bytes, so a plain SHA-256 is a sufficient stored hash. */
export function generateSecretToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** The stored form of a token. Never log or store the token itself. */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
