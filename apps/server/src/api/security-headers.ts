import type { NextFunction, Request, Response } from 'express';

/**
 * Headers for a JSON API that no browser should frame, sniff or cache. The docs page (/api/docs) needs
 * scripts and styles from its own origin, so it gets a looser policy.
 */
export function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  const docs = request.path.startsWith('/api/docs');
  response.setHeader('Content-Security-Policy', docs ? "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" : "default-src 'none'; frame-ancestors 'none'");
  if (request.path.startsWith('/api/')) response.setHeader('Cache-Control', 'no-store');
  response.removeHeader('X-Powered-By');
  next();
}
