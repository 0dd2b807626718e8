import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, upgradeStatus, wsUrlOf } from '../support/test-agent';

describe('agent authentication at the WebSocket upgrade', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let agents: AgentsService;
  let wsUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('gateway_auth');
    redis = uniqueRedisPrefix('auth');
    server = await startInProcess(db.url, redis.prefix);
    agents = server.app.get(AgentsService);
    wsUrl = wsUrlOf(server.url);
  });

  afterAll(async () => {
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('accepts the token printed by agent add, and the session works', async () => {
    const { token, agent } = await agents.add('pbx-auth-ok');
    const client = await TestAgent.connect(wsUrl, token);
    const welcome = client.next('welcome');
    client.send({ type: 'hello', protocol: 1, agentVersion: '1.0.0', hostname: 'pbx', lastBanSeq: 0 });
    expect(await welcome).toMatchObject({ type: 'welcome', protocol: 1, agentId: String(agent.id), name: 'pbx-auth-ok' });
    expect(await client.sendBatch('b-1', [makeEvent('203.0.113.1')])).toEqual({ type: 'ack', batchId: 'b-1' });
    client.close();
  });

  it('refuses a missing, malformed, unknown or foreign token with 401 at the upgrade', async () => {
    const { token } = await agents.add('pbx-auth-refused');
    expect(await upgradeStatus(wsUrl, undefined)).toBe(401);
    expect(await upgradeStatus(wsUrl, 'not-a-token')).toBe(401);
    expect(await upgradeStatus(wsUrl, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(401);
    expect(await upgradeStatus(wsUrl, token)).toBe(101);
  });

  it('refuses a revoked token with 401', async () => {
    const { token } = await agents.add('pbx-auth-revoked');
    await agents.revoke('pbx-auth-revoked');
    expect(await upgradeStatus(wsUrl, token)).toBe(401);
  });

  it('closes a connected agent within a second of its revocation', async () => {
    const { token } = await agents.add('pbx-auth-live');
    const other = await agents.add('pbx-auth-bystander');
    const victim = await TestAgent.join(wsUrl, token);
    const bystander = await TestAgent.join(wsUrl, other.token);
    const started = Date.now();
    await agents.revoke('pbx-auth-live');
    expect(await victim.closed).toBe(CLOSE_CODES.revoked);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await bystander.sendBatch('still-here', [makeEvent('203.0.113.2')])).toMatchObject({ type: 'ack' });
    bystander.close();
  });

  it('attributes events to the authenticated agent, whatever the message claims', async () => {
    const mallory = await agents.add('pbx-auth-mallory');
    const client = await TestAgent.join(wsUrl, mallory.token);
    const event = { ...makeEvent('198.51.100.66'), agentId: 1, agent: 'pbx-auth-ok' };
    client.sendRaw(JSON.stringify({ type: 'events', batchId: 'spoof', agentId: 1, events: [event] }));
    await client.until((m): m is Extract<typeof m, { type: 'ack' }> => m.type === 'ack' && m.batchId === 'spoof');
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query("SELECT a.name FROM security_events e JOIN agents a ON a.id = e.agent_id WHERE e.ip = '198.51.100.66'");
    await pg.end();
    expect(rows).toEqual([{ name: 'pbx-auth-mallory' }]);
    client.close();
  });
});
