import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp, type ServerApp } from '../../apps/server/src/app/server-app';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { createLogger } from '../../apps/server/src/logging/logger';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { serverEnv, TEST_TUNABLES } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { upgradeStatus, wsUrlOf } from '../support/test-agent';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('admin API', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let viewer: string;

  const call = async (method: string, path: string, body?: unknown, token: string | null = ADMIN) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as any, headers: response.headers };
  };

  beforeAll(async () => {
    db = await createTestDatabase('api');
    redis = uniqueRedisPrefix('api');
    const config = loadServerConfig({ ...serverEnv(db.url, redis.prefix), FLEETBAN_ADMIN_TOKEN: ADMIN, FLEETBAN_CORS_ORIGINS: 'https://noc.example.com' });
    server = await createServerApp(config, { tunables: TEST_TUNABLES, logger: createLogger('warn', process.stderr) });
    viewer = (await call('POST', '/tokens', { name: 'noc', role: 'viewer' })).body.token;
  });
  afterAll(async () => {
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('refuses no token, an unknown token and an agent token with 401, a viewer write with 403', async () => {
    expect((await call('GET', '/bans', undefined, null)).status).toBe(401);
    expect((await call('GET', '/bans', undefined, 'nope-nope-nope-nope-nope')).status).toBe(401);
    const agent = await call('POST', '/agents', { name: 'pbx-api' });
    expect(agent.status).toBe(201);
    expect((await call('GET', '/bans', undefined, agent.body.token)).status).toBe(401);
    // ... and the other way round: an API token cannot connect as an agent.
    expect(await upgradeStatus(wsUrlOf(server.url), ADMIN)).toBe(401);
    expect(await upgradeStatus(wsUrlOf(server.url), agent.body.token)).toBe(101);
    expect((await call('GET', '/bans', undefined, viewer)).status).toBe(200);
    const forbidden = await call('POST', '/bans', { ip: '192.0.2.1' }, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
  });

  it('bans by hand, lists the ban with its ip, lifts it', async () => {
    const created = await call('POST', '/bans', { ip: '203.0.113.7', duration: '2h', reason: 'seen in honeypot' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ip: '203.0.113.7', origin: 'manual', createdBy: 'admin', active: true, reason: 'seen in honeypot' });
    expect(new Date(created.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(7_100_000);
    const list = await call('GET', '/bans');
    expect(list.body.items.map((b: { ip: string }) => b.ip)).toContain('203.0.113.7');
    expect((await call('POST', '/bans', { ip: '203.0.113.7' })).body.error.code).toBe('already_banned');
    const lifted = await call('POST', '/bans/lift', { ip: '203.0.113.7' });
    expect(lifted.status).toBe(200);
    expect(lifted.body.lifted[0]).toMatchObject({ ip: '203.0.113.7', liftReason: 'manual', liftedBy: 'admin' });
    expect((await call('POST', '/bans/lift', { ip: '203.0.113.7' })).status).toBe(404);
    const detail = await call('GET', `/bans/${created.body.id}`);
    expect(detail.body.changes.map((c: { op: string }) => c.op)).toEqual(['add', 'remove']);
  });

  it('names the field and the problem for bad input', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ip: '300.1.1.1' }, 'ip', /not an IP address or CIDR/],
      [{ ip: '0.0.0.0/0' }, 'ip', /too wide/],
      [{ ip: '10.1.2.3/8' }, 'ip', /did you mean 10.0.0.0\/8/],
      [{ ip: '192.0.2.9', duration: '-5' }, 'duration', /duration/],
      [{ ip: '192.0.2.9', colour: 'red' }, '', /colour/],
      [{}, 'ip', /ip/],
    ];
    for (const [body, field, message] of cases) {
      const response = await call('POST', '/bans', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      if (field) expect(response.body.error.field).toBe(field);
      expect(response.body.error.message).toMatch(message);
    }
  });

  it('refuses to ban an allowlisted address with 409, and allowlisting lifts active bans', async () => {
    await call('POST', '/bans', { ip: '198.51.100.20' });
    const added = await call('POST', '/allowlist', { cidr: '198.51.100.0/24', note: 'trunk provider' });
    expect(added.status).toBe(201);
    expect(added.body.lifted.map((b: { ip: string }) => b.ip)).toEqual(['198.51.100.20']);
    const refused = await call('POST', '/bans', { ip: '198.51.100.20' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'allowlisted' });
    expect(refused.body.error.message).toContain('198.51.100.0/24');
    expect((await call('DELETE', `/allowlist/${added.body.entry.id}`)).status).toBe(200);
    expect((await call('DELETE', `/allowlist/${added.body.entry.id}`)).status).toBe(404);
  });

  it('updates a jail with validation, and lists jails', async () => {
    expect((await call('GET', '/jails')).body.items.map((j: { name: string }) => j.name)).toEqual(expect.arrayContaining(['asterisk', 'asterisk-aggressive']));
    const updated = await call('PATCH', '/jails/asterisk', { maxretry: 5, findtime: '10m' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'asterisk', maxretry: 5, findtime: 600 });
    const bad = await call('PATCH', '/jails/asterisk', { maxretry: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('maxretry');
    expect((await call('GET', '/jails/nope')).status).toBe(404);
  });

  it('writes an audit entry for every change, with who and from where', async () => {
    const audit = await call('GET', '/audit?limit=100');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['bans.create', 'bans.lift', 'allowlist.create', 'allowlist.delete', 'jails.update', 'tokens.create', 'agents.create']));
    const tokenEntry = audit.body.items.find((e: { action: string }) => e.action === 'tokens.create');
    expect(tokenEntry).toMatchObject({ actor: 'admin', target: 'noc', remoteAddress: expect.stringContaining('127.0.0.1') });
    expect(JSON.stringify(audit.body)).not.toContain(viewer);
  });

  it('serves an OpenAPI document listing every endpoint, and security headers', async () => {
    const response = await fetch(`${server.url}/api/docs-json`);
    const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of ['GET /api/v1/status', 'GET /api/v1/bans', 'POST /api/v1/bans', 'POST /api/v1/bans/lift', 'DELETE /api/v1/bans/{id}', 'GET /api/v1/bans/{id}', 'GET /api/v1/allowlist', 'POST /api/v1/allowlist', 'DELETE /api/v1/allowlist/{id}', 'GET /api/v1/jails', 'PATCH /api/v1/jails/{name}', 'GET /api/v1/agents', 'POST /api/v1/agents', 'DELETE /api/v1/agents/{name}', 'GET /api/v1/events', 'GET /api/v1/events/top-attackers', 'GET /api/v1/events/top-accounts', 'GET /api/v1/explain/{ip}', 'GET /api/v1/audit', 'GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{name}']) {
      expect(routes).toContain(route);
    }
    const api = await call('GET', '/status');
    expect(api.status).toBe(200);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    // Only the configured origin is let in by browsers; any other gets no CORS header.
    const cors = (origin: string) => fetch(`${server.url}/api/v1/status`, { headers: { origin, authorization: `Bearer ${ADMIN}` } }).then((r) => r.headers.get('access-control-allow-origin'));
    expect(await cors('https://noc.example.com')).toBe('https://noc.example.com');
    expect(await cors('https://evil.example')).toBeNull();
  });

  it('explains an address and answers status like fail2ban-client', async () => {
    const status = await call('GET', '/status?jail=asterisk');
    expect(status.body.jails[0]).toMatchObject({ name: 'asterisk', currentlyBanned: expect.any(Number), totalBanned: expect.any(Number), bannedIps: expect.any(Array) });
    const explained = await call('GET', '/explain/203.0.113.7');
    expect(explained.status).toBe(200);
    expect(explained.body.bans.map((b: { ip: string }) => b.ip)).toContain('203.0.113.7');
    expect((await call('GET', '/explain/not-an-ip')).status).toBe(400);
  });
});
