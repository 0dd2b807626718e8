import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

describe('dead and silent connections', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let wsUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('liveness');
    redis = uniqueRedisPrefix('liveness');
    server = await startInProcess(db.url, redis.prefix, { heartbeatIntervalMs: 1000, handshakeTimeoutMs: 1500 });
    wsUrl = wsUrlOf(server.url);
  });

  afterAll(async () => {
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('terminates a connection that stops answering pings, and keeps one that answers', async () => {
    const agents = server.app.get(AgentsService);
    const dead = await TestAgent.join(wsUrl, (await agents.add('pbx-dead')).token);
    const alive = await TestAgent.join(wsUrl, (await agents.add('pbx-alive')).token);
    // A peer that reads nothing (a frozen host, a dead NAT mapping) never answers the pings: gone within ~2 intervals.
    dead.socket.pause();
    await expect.poll(async () => (await fetch(`${server.url}/metrics`).then((r) => r.text())).match(/^fleetban_agents_connected (\d+)/m)?.[1], { timeout: 8000 }).toBe('1');
    expect(await alive.sendBatch('still-alive', [makeEvent('203.0.113.70')])).toMatchObject({ type: 'ack' });
    alive.close();
    dead.close();
  });

  it('closes with 4408 a connection that never says hello', async () => {
    const silent = await TestAgent.connect(wsUrl, (await server.app.get(AgentsService).add('pbx-silent')).token);
    expect(await silent.closed).toBe(CLOSE_CODES.handshakeTimeout);
    expect(silent.received).toMatchObject([{ type: 'error', code: 'hello_required' }]);
  });
});
