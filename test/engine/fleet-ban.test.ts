import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import { createServerApp, type ServerApp } from '../../apps/server/src/app/server-app';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { createLogger } from '../../apps/server/src/logging/logger';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { serverEnv, TEST_TUNABLES } from '../support/server-instance';
import { makeEvent, TestAgent, wsUrlOf } from '../support/test-agent';
import { createTestDatabase } from '../support/test-database';

type Delta = Extract<ServerMessage, { type: 'bans.delta' }>;
const addsIp = (ip: string) => (m: ServerMessage): m is Delta => m.type === 'bans.delta' && m.add.some((b) => b.ip === ip);
const removesIp = (ip: string) => (m: ServerMessage): m is Delta => m.type === 'bans.delta' && m.remove.includes(ip);

// The whole loop through real parts: agents' WebSockets -> ingest -> BullMQ -> ban engine -> PostgreSQL -> fan-out.
describe('a fleet of three agents', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let agents: TestAgent[];

  beforeAll(async () => {
    db = await createTestDatabase('fleet');
    redis = uniqueRedisPrefix('fleet');
    server = await createServerApp(loadServerConfig({ ...serverEnv(db.url, redis.prefix), FLEETBAN_ADMIN_TOKEN: 'fleet-test-admin-token-0123' }), {
      tunables: TEST_TUNABLES,
      logger: createLogger('warn', process.stderr),
    });
    const service = server.app.get(AgentsService);
    agents = [];
    for (const name of ['pbx-1', 'pbx-2', 'pbx-3']) agents.push(await TestAgent.join(wsUrlOf(server.url), (await service.add(name)).token));
  });
  afterAll(async () => {
    for (const agent of agents ?? []) agent.close();
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('bans on every agent an IP that failed once on each of three agents', async () => {
    const now = Date.now();
    const ip = '203.0.113.50';
    for (const [i, agent] of agents.entries()) await agent.sendBatch(`b-${i}`, [makeEvent(ip, { time: now - 1000 * (3 - i) })]);
    for (const agent of agents) {
      const delta = await agent.until(addsIp(ip), 10_000);
      const ban = delta.add.find((b) => b.ip === ip);
      expect(ban?.jail).toBe('asterisk');
      expect(ban?.until).toBeGreaterThan(now + 3_500_000);
    }
  });

  it('does not ban after two failures', async () => {
    const ip = '203.0.113.51';
    await agents[0]!.sendBatch('c-1', [makeEvent(ip, { time: Date.now() - 2000 }), makeEvent(ip, { time: Date.now() - 1000 })]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(agents.some((a) => a.received.some(addsIp(ip)))).toBe(false);
  });

  it('lifts a ban when it expires, and tells every agent', async () => {
    const ip = '198.51.100.77';
    const response = await fetch(`${server.url}/api/v1/bans`, {
      method: 'POST',
      headers: { authorization: 'Bearer fleet-test-admin-token-0123', 'content-type': 'application/json' },
      body: JSON.stringify({ ip, duration: 2, reason: 'short test ban' }),
    });
    expect(response.status).toBe(201);
    for (const agent of agents) await agent.until(addsIp(ip), 5000);
    for (const agent of agents) await agent.until(removesIp(ip), 8000);
  });
});
