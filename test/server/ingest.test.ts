import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { EvaluationDispatcher } from '../../apps/server/src/ingest/evaluation-dispatcher';
import { EvaluationSweeper } from '../../apps/server/src/ingest/evaluation-sweeper';
import type { EvaluateJob } from '../../apps/server/src/jobs/job-map';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

describe('durable ingest', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let pg: Client;
  let queue: Queue<EvaluateJob>;
  let wsUrl: string;

  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await pg.query(sql, params)).rows[0].n);
  const jobIps = async (): Promise<string[]> => (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).flatMap((job) => job.data.ips);

  beforeAll(async () => {
    db = await createTestDatabase('ingest');
    redis = uniqueRedisPrefix('ingest');
    // api role: no ban engine in this process, so the evaluate jobs stay in the queue for the test to read.
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ROLE: 'api' });
    wsUrl = wsUrlOf(server.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    queue = new Queue<EvaluateJob>('evaluate', { connection: { url: TEST_REDIS_URL }, prefix: `${redis.prefix}:bull` });
  });

  afterAll(async () => {
    await queue?.close();
    await pg?.end();
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('stores a batch sent three times exactly once, acknowledging each send', async () => {
    const { token, agent } = await server.app.get(AgentsService).add('pbx-thrice');
    const client = await TestAgent.join(wsUrl, token);
    const events = [makeEvent('203.0.113.10'), makeEvent('203.0.113.11'), makeEvent('2001:db8::11')];
    expect(await client.sendBatch('thrice', events)).toEqual({ type: 'ack', batchId: 'thrice' });
    client.received.length = 0;
    expect(await client.sendBatch('thrice', events)).toEqual({ type: 'ack', batchId: 'thrice', duplicate: true });
    client.close();
    const again = await TestAgent.join(wsUrl, token);
    expect(await again.sendBatch('thrice', events)).toEqual({ type: 'ack', batchId: 'thrice', duplicate: true });
    again.close();

    expect(await count('SELECT count(*) AS n FROM security_events WHERE agent_id = $1', [agent.id])).toBe(3);
    expect(await count('SELECT count(*) AS n FROM ingest_batches WHERE agent_id = $1', [agent.id])).toBe(1);
    const stored = await pg.query('SELECT host(ip) AS ip, port, account, session, type::text, source::text, extract(epoch from time) * 1000 AS ms FROM security_events WHERE agent_id = $1 ORDER BY id', [agent.id]);
    expect(stored.rows.map((r) => [r.ip, r.port, r.account, r.session, r.type, r.source, Number(r.ms)])).toEqual(
      events.map((e) => [e.ip, e.port, e.account, e.session, e.type, e.source, e.time]),
    );
  });

  it('stores nulls and every field of the event as sent', async () => {
    const { token, agent } = await server.app.get(AgentsService).add('pbx-nulls');
    const client = await TestAgent.join(wsUrl, token);
    const event = makeEvent('192.0.2.200', { port: null, transport: null, service: null, account: null, session: null, localAddress: null, type: 'ChallengeSent', failure: false, source: 'ami' });
    await client.sendBatch('nulls', [event]);
    const { rows } = await pg.query('SELECT port, transport, service, account, session, local_address, failure, type::text, source::text FROM security_events WHERE agent_id = $1', [agent.id]);
    expect(rows).toEqual([{ port: null, transport: null, service: null, account: null, session: null, local_address: null, failure: false, type: 'ChallengeSent', source: 'ami' }]);
    client.close();
  });

  it('stores an account name holding U+0000 (which PostgreSQL text cannot) instead of refusing the batch forever', async () => {
    const { token, agent } = await server.app.get(AgentsService).add('pbx-nul');
    const client = await TestAgent.join(wsUrl, token);
    expect(await client.sendBatch('nul', [makeEvent('192.0.2.201', { account: 'evil\u0000name' })])).toEqual({ type: 'ack', batchId: 'nul' });
    const { rows } = await pg.query('SELECT account FROM security_events WHERE agent_id = $1', [agent.id]);
    expect(rows).toEqual([{ account: 'evil\uFFFDname' }]);
    client.close();
  });

  it('enqueues an evaluate job with the IPs touched, once per IP, and clears the pending marker', async () => {
    const { token } = await server.app.get(AgentsService).add('pbx-evaluate');
    const client = await TestAgent.join(wsUrl, token);
    await client.sendBatch('eval-1', [makeEvent('198.51.100.1'), makeEvent('198.51.100.1'), makeEvent('198.51.100.2')]);
    await expect.poll(jobIps, { timeout: 15_000 }).toEqual(expect.arrayContaining(['198.51.100.1', '198.51.100.2']));
    expect((await jobIps()).filter((ip) => ip === '198.51.100.1')).toHaveLength(1);
    await expect.poll(() => count('SELECT count(*) AS n FROM pending_evaluations'), { timeout: 15_000 }).toBe(0);
    client.close();
  });

  it('re-enqueues an evaluation whose enqueue was missed (marker committed, job never added)', async () => {
    const agentId = (await pg.query("SELECT id FROM agents WHERE name = 'pbx-evaluate'")).rows[0].id;
    await pg.query("INSERT INTO pending_evaluations (agent_id, ips, created_at) VALUES ($1, ARRAY['203.0.113.99'], now() - interval '1 minute')", [agentId]);
    await server.app.get(EvaluationSweeper).sweep(); // the periodic pass may get there first: either way the job appears
    const swept = async (): Promise<boolean> => (await queue.getJobs(['prioritized'])).some((job) => job.data.ips.includes('203.0.113.99') && job.data.origin === 'sweep');
    await expect.poll(swept, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => count('SELECT count(*) AS n FROM pending_evaluations'), { timeout: 15_000 }).toBe(0);
  });

  it('evaluates a fresh batch before a backlog of re-enqueued ones', async () => {
    const dispatcher = server.app.get(EvaluationDispatcher);
    for (let i = 0; i < 20; i++) expect(await dispatcher.dispatch([`10.77.0.${i + 1}`], [], 'sweep')).toBe(true);
    expect(await dispatcher.dispatch(['10.77.1.1'], [], 'ingest')).toBe(true);
    const order: string[] = [];
    // One at a time, as a busy worker would take them: the fresh job, enqueued last, must come before every re-enqueue.
    const worker = new Worker<EvaluateJob>('evaluate', async (job) => void order.push(...job.data.ips), { connection: { url: TEST_REDIS_URL }, prefix: `${redis.prefix}:bull`, concurrency: 1 });
    try {
      await expect.poll(() => order.filter((ip) => ip.startsWith('10.77.')).length, { timeout: 15_000 }).toBe(21);
    } finally {
      await worker.close();
    }
    const mine = order.filter((ip) => ip.startsWith('10.77.'));
    expect(mine[0]).toBe('10.77.1.1');
    expect(mine.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `10.77.0.${i + 1}`));
  });

  it('serves /health/live, /health/ready and /metrics with ingest counters', async () => {
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok', shutdown: 'ok' } });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^fleetban_events_stored_total \d+/m);
    expect(Number(/^fleetban_events_duplicate_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(6);
    expect(metrics).toMatch(/^fleetban_batches_total\{result="duplicate"\} \d+/m);
    expect(metrics).toMatch(/^fleetban_ingest_duration_seconds_bucket/m);
    expect(metrics).toContain('fleetban_agents_connected');
  });

  it('on graceful shutdown acknowledges the batches already read, then closes with 1001', async () => {
    const local = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ROLE: 'api' });
    const { token, agent } = await local.app.get(AgentsService).add('pbx-drain');
    const client = await TestAgent.join(wsUrlOf(local.url), token);
    const ids = Array.from({ length: 6 }, (_, i) => `drain-${i}`);
    for (const id of ids) client.send({ type: 'events', batchId: id, events: Array.from({ length: 200 }, (_, k) => makeEvent(`10.9.${k}.1`)) });
    await client.until((m): m is Extract<typeof m, { type: 'ack' }> => m.type === 'ack');
    await local.shutdown();
    expect(await client.closed).toBe(1001);
    const acked = client.received.flatMap((m) => (m.type === 'ack' ? [m.batchId] : []));
    expect(await count('SELECT count(*) AS n FROM ingest_batches WHERE agent_id = $1', [agent.id])).toBe(acked.length);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked).toEqual(ids.slice(0, acked.length));
  });
});
