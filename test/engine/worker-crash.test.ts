import { Queue } from 'bullmq';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import { createServerApp, type ServerApp } from '../../apps/server/src/app/server-app';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { createLogger } from '../../apps/server/src/logging/logger';
import { uniqueRedisPrefix, TEST_REDIS_URL } from '../support/redis-prefix';
import { freePort, serverEnv, startChildServer, TEST_TUNABLES } from '../support/server-instance';
import { makeEvent, TestAgent, wsUrlOf } from '../support/test-agent';
import { createTestDatabase } from '../support/test-database';

const IPS = Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 100}`);

// An API instance that only ingests, and separate worker processes: the first is killed with SIGKILL while it
// evaluates; the second must finish the work without losing or duplicating a ban.
describe('a worker killed in the middle of a job', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let api: ServerApp;
  let sql: Client;
  const children: Array<{ child: { kill(signal: NodeJS.Signals): boolean } }> = [];

  beforeAll(async () => {
    db = await createTestDatabase('crash');
    redis = uniqueRedisPrefix('crash');
    api = await createServerApp(loadServerConfig({ ...serverEnv(db.url, redis.prefix), FLEETBAN_ROLE: 'api' }), { tunables: TEST_TUNABLES, logger: createLogger('warn', process.stderr) });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await sql?.end();
    await api?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('loses no ban and duplicates none', async () => {
    const agent = await TestAgent.join(wsUrlOf(api.url), (await api.app.get(AgentsService).add('pbx-crash')).token);
    const now = Date.now();
    await agent.sendBatch('crash-1', IPS.flatMap((ip) => [1, 2, 3].map((k) => makeEvent(ip, { time: now - k * 1000 }))));
    agent.close();

    const queue = new Queue('evaluate', { connection: { url: TEST_REDIS_URL }, prefix: `${redis.prefix}:bull` });
    await expect.poll(() => queue.getWaitingCount(), { timeout: 5000 }).toBeGreaterThan(0);
    const env = { ...serverEnv(db.url, redis.prefix), FLEETBAN_ROLE: 'worker' };
    const first = await startChildServer(env, await freePort());
    children.push(first);
    await expect.poll(async () => (await queue.getActiveCount()) + (await queue.getCompletedCount()), { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    const before = Number((await sql.query('SELECT count(*) FROM bans')).rows[0].count);

    children.push(await startChildServer(env, await freePort()));
    const second = children[1] as unknown as { output: () => string };
    try {
      await expect.poll(async () => Number((await sql.query('SELECT count(*) FROM bans')).rows[0].count), { timeout: 45_000, interval: 200 }).toBe(IPS.length);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nfirst worker:\n${first.output()}\nsecond worker:\n${second.output()}`, { cause: error });
    }
    const { rows } = await sql.query("SELECT host(target) AS ip, count(*)::int AS n FROM bans GROUP BY target");
    expect(rows.map((r) => r.ip).sort()).toEqual([...IPS].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const changes = await sql.query("SELECT count(*)::int AS n FROM ban_changes WHERE op = 'add'");
    expect(changes.rows[0].n).toBe(IPS.length);
    expect(before).toBeLessThan(IPS.length);
    await queue.close();
  }, 90_000);
});
