import { generateSecretToken, hashSecretToken } from '../common/secret-token';

const TOKEN_PREFIX = 'fbt_';

/** A new enrollment token (see generateSecretToken). */
export function generateAgentToken(): string {
  return generateSecretToken(TOKEN_PREFIX);
}

/** The stored form of a token. Never log or store the token itself. */
export const hashAgentToken = hashSecretToken;

/** Cheap shape check before touching the database: refuses obviously foreign strings. */
export function looksLikeAgentToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX) && token.length === TOKEN_PREFIX.length + 43;
}
