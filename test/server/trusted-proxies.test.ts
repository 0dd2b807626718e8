import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../apps/server/src/api/rate-limiter';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

const ADMIN = 'proxy-admin-token-0123456789';

// Two real servers on one database: one trusts 127.0.0.1 (this test stands for nginx), one trusts no proxy.
describe('FLEETBAN_TRUSTED_PROXIES: the caller address in the audit log and the rate limit', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let behindProxy: ServerApp;
  let direct: ServerApp;

  /** Adds an allowlist entry through `server`, sending `forwardedFor`; returns the address the audit log recorded. */
  const auditedAddress = async (server: ServerApp, cidr: string, forwardedFor?: string): Promise<string | null> => {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
    const created = await fetch(`${server.url}/api/v1/allowlist`, { method: 'POST', headers, body: JSON.stringify({ cidr, note: 'proxy test' }) });
    expect(created.status, await created.clone().text()).toBe(201);
    const audit = (await (await fetch(`${server.url}/api/v1/audit?limit=100`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { items: { action: string; target: string | null; remoteAddress: string | null }[] };
    const entry = audit.items.find((item) => item.action === 'allowlist.create' && item.target === cidr);
    expect(entry, JSON.stringify(audit.items)).toBeDefined();
    return entry?.remoteAddress ?? null;
  };

  beforeAll(async () => {
    db = await createTestDatabase('proxies');
    redis = uniqueRedisPrefix('proxies');
    behindProxy = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN, FLEETBAN_TRUSTED_PROXIES: '127.0.0.0/8, ::1' });
    direct = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN });
  });
  afterAll(async () => {
    await behindProxy?.shutdown();
    await direct?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('behind a trusted proxy, records the right-most untrusted X-Forwarded-For address, not what the client forged', async () => {
    // The client sent "X-Forwarded-For: 192.0.2.66" to nginx, which appended the address it saw (198.51.100.7).
    expect(await auditedAddress(behindProxy, '203.0.113.1/32', '192.0.2.66, 198.51.100.7')).toBe('198.51.100.7');
    expect(await auditedAddress(behindProxy, '203.0.113.2/32', '2001:DB8::7')).toBe('2001:db8::7');
    // A chain of trusted proxies is walked through.
    expect(await auditedAddress(behindProxy, '203.0.113.3/32', '198.51.100.8, 127.0.0.9')).toBe('198.51.100.8');
    // No header: the peer.
    expect(await auditedAddress(behindProxy, '203.0.113.4/32')).toBe('127.0.0.1');
  });

  it('without trusted proxies (the default), ignores an X-Forwarded-For sent by the peer', async () => {
    expect(await auditedAddress(direct, '203.0.113.5/32', '198.51.100.9')).toBe('127.0.0.1');
  });

  /** Statuses of `count` concurrent requests without a token (failed logins) to `server`, the i-th sending forwardedFor(i). */
  const failedLogins = (server: ServerApp, count: number, forwardedFor: (i: number) => string): Promise<number[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await fetch(`${server.url}/api/v1/status`, { headers: { 'x-forwarded-for': forwardedFor(i) } });
        await response.arrayBuffer();
        return response.status;
      }),
    );
  const tally = (statuses: number[]): string => `401: ${statuses.filter((s) => s === 401).length}, 429: ${statuses.filter((s) => s === 429).length}, other: ${statuses.filter((s) => s !== 401 && s !== 429).length}`;

  // The burst is 200 and refills at 50/s, about what this loaded machine serves: the limiter's clock is held still
  // so that exactly 200 failed logins pass per address.
  it('limits failed logins per client address behind a trusted proxy, and per peer when the header is forged', async () => {
    const still = Date.now();
    for (const server of [behindProxy, direct]) server.app.get(RateLimiter).now = () => still;
    expect(tally(await failedLogins(behindProxy, 260, () => '198.51.100.20'))).toBe('401: 200, 429: 60, other: 0');
    // Another client behind the same proxy is not slowed down by the first, and a valid token from the first works.
    expect(await failedLogins(behindProxy, 1, () => '198.51.100.21')).toEqual([401]);
    const valid = await fetch(`${behindProxy.url}/api/v1/status`, { headers: { authorization: `Bearer ${ADMIN}`, 'x-forwarded-for': '198.51.100.20' } });
    expect(valid.status).toBe(200);
    // Without trusted proxies, a new forged address per request buys no new attempts.
    expect(tally(await failedLogins(direct, 260, (i) => `198.51.100.${i % 250}`))).toBe('401: 200, 429: 60, other: 0');
  }, 60_000);

  it('refuses to start with an entry that is not an address or CIDR, naming the variable', async () => {
    await expect(startInProcess(db.url, redis.prefix, {}, { FLEETBAN_TRUSTED_PROXIES: 'nginx' })).rejects.toThrow(/FLEETBAN_TRUSTED_PROXIES/);
  });
});
