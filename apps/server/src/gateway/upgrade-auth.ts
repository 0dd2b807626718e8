import type { IncomingMessage } from 'node:http';

/**
 * The agent token from the upgrade request: `Authorization: Bearer <token>`. A header rather than a query
 * parameter so the token never lands in access logs; rather than a subprotocol so it is not echoed back.
 */
export function bearerToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
