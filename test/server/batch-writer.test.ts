import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { BatchWriter } from '../../apps/server/src/ingest/batch-writer';
import { SecurityEventRepository, type NewBatch } from '../../apps/server/src/ingest/security-event.repository';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { makeEvent } from '../support/test-agent';

const AGENTS = 40;

describe('batches of many agents share transactions, each stored exactly once', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let pg: Client;
  let agentIds: number[];

  const batchOf = (agentId: number, batchId: string, size: number): NewBatch => {
    const events = Array.from({ length: size }, (_, k) => makeEvent(`10.${agentId % 250}.${k % 250}.${(k % 7) + 1}`));
    return { agentId, batchId, events, ips: [...new Set(events.map((event) => event.ip))] };
  };
  const rows = async (sql: string): Promise<Array<Record<string, unknown>>> => (await pg.query(sql)).rows;

  beforeAll(async () => {
    db = await createTestDatabase('batch_writer');
    redis = uniqueRedisPrefix('writer');
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ROLE: 'api' });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const agents = server.app.get(AgentsService);
    agentIds = [];
    for (let i = 0; i < AGENTS; i++) agentIds.push((await agents.add(`pbx-writer-${i}`)).agent.id);
  });

  afterAll(async () => {
    await pg?.end();
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('groups waiting batches, keeps each one exactly once (resends in the same wave included), in fewer transactions', async () => {
    const writer = server.app.get(BatchWriter);
    const early = batchOf(agentIds[0]!, 'b-0', 5);
    expect(await writer.write(early)).toBe(true);

    // Every agent's batch at once (more than the writer's concurrent transactions), each twice, plus a resend of
    // the batch stored above: one copy of each is stored, every other answer is "stored before".
    const wave = agentIds.map((agentId, i) => batchOf(agentId, `b-${i + 1}`, 10 + (i % 5)));
    const answers = await Promise.all([...wave, ...wave, early].map((batch) => writer.write(batch)));
    expect(answers.slice(0, AGENTS).map((fresh, i) => fresh !== answers[AGENTS + i])).toEqual(wave.map(() => true));
    expect(answers[2 * AGENTS]).toBe(false);

    expect((await rows('SELECT count(*)::int AS n FROM ingest_batches'))[0]!.n).toBe(AGENTS + 1);
    const expected = [early, ...wave].reduce((n, b) => n + b.events.length, 0);
    expect((await rows('SELECT count(*)::int AS n FROM security_events'))[0]!.n).toBe(expected);
    // Same events, as sent, per agent (the stored rows carry the agent of their own batch, not of the group).
    for (const batch of wave.slice(1)) {
      const stored = await rows(`SELECT session FROM security_events WHERE agent_id = ${batch.agentId} ORDER BY id`);
      expect(stored.map((row) => row.session)).toEqual(batch.events.map((event) => event.session));
    }
    // Fewer transactions than batches: rows written by one transaction share its xmin.
    const transactions = (await rows(`SELECT count(DISTINCT xmin::text)::int AS n FROM ingest_batches WHERE batch_id <> 'b-0'`))[0]!.n as number;
    expect(transactions).toBeLessThan(AGENTS);
    expect(transactions).toBeGreaterThanOrEqual(1);
  });

  it('writes one pending marker per new batch, with that batch\'s IPs, and none for a resend', async () => {
    const a = batchOf(agentIds[2]!, 'm-1', 4);
    const b = batchOf(agentIds[3]!, 'm-1', 6);
    const stored = await server.app.get(SecurityEventRepository).insertBatches([a, batchOf(agentIds[0]!, 'b-0', 5), b]);
    expect(stored.fresh).toEqual([true, false, true]);
    const markers = await pg.query('SELECT agent_id, ips FROM pending_evaluations WHERE id = ANY($1::bigint[]) ORDER BY agent_id', [stored.pendingIds.map(String)]);
    expect(markers.rows).toEqual([
      { agent_id: a.agentId, ips: a.ips },
      { agent_id: b.agentId, ips: b.ips },
    ]);
  });

  it('a batch that PostgreSQL refuses fails alone; the batches grouped with it are stored', async () => {
    const writer = server.app.get(BatchWriter);
    const good = agentIds.slice(1, 12).map((agentId) => batchOf(agentId, 'poison-wave', 3));
    const poison = batchOf(agentIds[0]!, 'poison-wave', 3);
    // Not a message the gateway would pass (it validates addresses): a stand-in for any row PostgreSQL refuses.
    poison.events = poison.events.map((event) => ({ ...event, ip: 'not-an-address' }));
    const results = await Promise.allSettled([...good, poison].map((batch) => writer.write(batch)));
    expect(results.slice(0, good.length).map((r) => r.status === 'fulfilled' && r.value)).toEqual(good.map(() => true));
    expect(results[good.length]!.status).toBe('rejected');
    expect((await rows(`SELECT count(*)::int AS n FROM ingest_batches WHERE batch_id = 'poison-wave'`))[0]!.n).toBe(good.length);
  });

  it('at shutdown, transactions under way commit and waiting batches are refused as shutting_down, none on a closed pool', async () => {
    const local = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ROLE: 'api' });
    const writer = local.app.get(BatchWriter);
    const batches = agentIds.map((agentId) => batchOf(agentId, 'at-shutdown', 50));
    const pending = Promise.allSettled(batches.map((batch) => writer.write(batch)));
    await local.shutdown();
    const results = await pending;
    const stored = new Set((await rows(`SELECT agent_id FROM ingest_batches WHERE batch_id = 'at-shutdown'`)).map((row) => row.agent_id));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') expect(stored.has(batches[i]!.agentId)).toBe(true);
      else {
        expect(result.reason).toMatchObject({ code: 'shutting_down' });
        expect(stored.has(batches[i]!.agentId)).toBe(false);
      }
    });
    expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
    expect(results.some((result) => result.status === 'rejected')).toBe(true);
  });
});
