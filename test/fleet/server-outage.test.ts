import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentStatus, invalidAccountLine, runAgentCommand, startAgent } from '../support/agent-process';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { freePort, runServerCommand, serverEnv, startChildServer } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

const OUTAGE_MS = 30_000;

// The server goes away for 30 s while the PBX keeps logging: the agent spools, and once the server is back every
// event arrives, once, in the order it was written.
describe('a 30 s server outage', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let sql: Client;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('outage');
    redis = uniqueRedisPrefix('outage');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await sql?.end();
    await db?.drop();
    await redis?.cleanup();
  });

  it('loses nothing and keeps the order', async () => {
    const env = serverEnv(db.url, redis.prefix);
    const port = await freePort();
    let server = await startChildServer(env, port);
    stops.push(async () => void server.child.kill('SIGKILL'));
    const { token } = JSON.parse((await runServerCommand(['agent', 'add', 'pbx-outage', '--json'], env)).stdout) as { token: string };
    const dir = mkdtempSync(join(tmpdir(), 'fleetban-outage-'));
    const config = join(dir, 'agent.yaml');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    expect((await runAgentCommand(['enroll', '--server', server.url, '--token', token, '--config', config, '--log', log, '--state-dir', join(dir, 'state'), '--timezone', 'UTC', '--dry-run'])).code).toBe(0);
    const agent = startAgent(config);
    stops.push(agent.stop);
    await expect.poll(async () => (await agentStatus(config)).connected, { timeout: 20_000, interval: 250 }).toBe(true);

    // One line per account number, from many addresses so no ban gets in the way.
    const write = (n: number) => appendFileSync(log, invalidAccountLine(`198.18.${Math.floor(n / 250)}.${(n % 250) + 1}`, String(n), `outage-${n}@test`));
    const stored = async () => (await sql.query<{ account: string }>('SELECT account FROM security_events ORDER BY id')).rows.map((r) => Number(r.account));
    for (let n = 0; n < 5; n++) write(n);
    await expect.poll(stored, { timeout: 15_000, interval: 200 }).toEqual([0, 1, 2, 3, 4]);

    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    let n = 5;
    for (const end = Date.now() + OUTAGE_MS; Date.now() < end; n++) {
      write(n);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect((await agentStatus(config)).connected).toBe(false);
    expect(await stored()).toEqual([0, 1, 2, 3, 4]);

    server = await startChildServer(env, port);
    const expected = Array.from({ length: n }, (_, i) => i);
    await expect.poll(stored, { timeout: 45_000, interval: 250 }).toEqual(expected);
  }, 150_000);
});
