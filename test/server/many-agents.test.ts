import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

const AGENTS = 200;
const BATCHES_PER_AGENT = 5;
const EVENTS_PER_BATCH = 20;

describe('200 agents at once', { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('many_agents');
    redis = uniqueRedisPrefix('many');
    server = await startInProcess(db.url, redis.prefix);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('stores every event of 200 concurrent connections exactly once, resends included', async () => {
    const service = server.app.get(AgentsService);
    const tokens = (await Promise.all(Array.from({ length: AGENTS }, (_, i) => service.add(`pbx-many-${i}`)))).map((enrolled) => enrolled.token);
    const clients = await Promise.all(tokens.map((token, i) => TestAgent.join(wsUrlOf(server.url), token, { hostname: `pbx-many-${i}` })));

    await Promise.all(
      clients.map(async (client, i) => {
        for (let b = 0; b < BATCHES_PER_AGENT; b++) {
          const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) => makeEvent(`10.${i % 200}.${b}.${k + 1}`, { session: `a${i}-b${b}-e${k}` }));
          const batchId = `a${i}-b${b}`;
          // Each agent pipelines two copies of every batch (as after a lost ack): both acknowledged, one stored.
          const acks = [client.sendBatch(batchId, events, 60_000)];
          client.send({ type: 'events', batchId, events });
          await Promise.all(acks);
        }
      }),
    );
    const settled = (): number => clients.reduce((n, c) => n + c.received.filter((m) => m.type === 'ack').length, 0);
    await expect.poll(settled, { timeout: 60_000 }).toBe(AGENTS * BATCHES_PER_AGENT * 2);
    clients.forEach((client) => client.close());

    const { rows } = await pg.query(`SELECT count(*)::int AS events, count(DISTINCT session)::int AS sessions, count(DISTINCT agent_id)::int AS agents FROM security_events`);
    expect(rows[0]).toEqual({ events: AGENTS * BATCHES_PER_AGENT * EVENTS_PER_BATCH, sessions: AGENTS * BATCHES_PER_AGENT * EVENTS_PER_BATCH, agents: AGENTS });
    const batches = await pg.query('SELECT count(*)::int AS n FROM ingest_batches');
    expect(batches.rows[0].n).toBe(AGENTS * BATCHES_PER_AGENT);
    // Every session landed under the agent that sent it.
    const misattributed = await pg.query(`SELECT count(*)::int AS n FROM security_events e JOIN agents a ON a.id = e.agent_id WHERE split_part(e.session, '-', 1) <> 'a' || split_part(a.name, '-', 3)`);
    expect(misattributed.rows[0].n).toBe(0);
  });
});
