import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CLOSE_CODES } from '@fleetban/protocol';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { ROOT, freePort, runServerCommand, serverEnv, startChildServer } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

const BUILT = join(ROOT, 'dist', 'apps', 'server', 'apps', 'server', 'src', 'main.js');

// Each command starts a Node process with Nest and Prisma: seconds each on a loaded two-core machine.
const PROCESS_TEST_TIMEOUT = 180_000;

// The built bin, as operators run it: `npm test` builds first (scripts/bootstrap.mjs).
describe('fleetban-server as a process', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let env: NodeJS.ProcessEnv;
  let pg: Client;
  const children: { kill(signal: NodeJS.Signals): boolean }[] = [];

  const addAgent = async (name: string): Promise<{ token: string; id: number }> => {
    const result = await runServerCommand(['agent', 'add', name, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { token: string; id: number };
  };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` (npm test does it) before these tests`);
    db = await createTestDatabase('process');
    redis = uniqueRedisPrefix('process');
    env = serverEnv(db.url, redis.prefix);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await pg?.end();
    await redis?.cleanup();
    await db?.drop();
  });

  it('agent add prints the one-time token and the exact enroll command; only the hash is stored', async () => {
    const text = await runServerCommand(['agent', 'add', 'pbx-cli'], { ...env, FLEETBAN_PUBLIC_URL: 'https://fleet.example.net' });
    expect(text.code, text.stderr).toBe(0);
    const token = /^\s+(fbt_\S+)$/m.exec(text.stdout)?.[1];
    expect(token).toBeDefined();
    expect(text.stdout).toContain(`npx fleetban-agent enroll --server https://fleet.example.net --token ${token} --config /etc/fleetban/agent.yaml`);
    const json = await addAgent('pbx-cli-json');
    expect(json.token).toMatch(/^fbt_[A-Za-z0-9_-]{43}$/);
    const { rows } = await pg.query('SELECT token_hash FROM agents WHERE name = $1', ['pbx-cli-json']);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(json.token);

    const duplicate = await runServerCommand(['agent', 'add', 'pbx-cli'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    expect((await runServerCommand(['agent', 'frobnicate'], env)).code).toBe(2);
  });

  it('killed between commit and ack, restarted, the resent batch is stored exactly once', async () => {
    const { token, id } = await addAgent('pbx-crash');
    const port = await freePort();
    const first = await startChildServer(env, port);
    children.push(first.child);
    const agent = await TestAgent.join(wsUrlOf(first.url), token);
    const events = Array.from({ length: 300 }, (_, i) => makeEvent(`10.66.${i % 250}.${1 + (i % 3)}`));
    agent.socket.pause(); // the agent reads nothing from now on: whatever ack the server sends is lost with it
    agent.send({ type: 'events', batchId: 'crash-1', events });
    const committed = async (): Promise<number> => (await pg.query('SELECT count(*)::int AS n FROM ingest_batches WHERE agent_id = $1', [id])).rows[0].n;
    await expect.poll(committed, { timeout: 30_000, interval: 5 }).toBe(1);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(agent.received.some((m) => m.type === 'ack')).toBe(false);
    agent.close();

    const second = await startChildServer(env, port);
    children.push(second.child);
    const resent = await TestAgent.join(wsUrlOf(second.url), token);
    expect(await resent.sendBatch('crash-1', events)).toEqual({ type: 'ack', batchId: 'crash-1', duplicate: true });
    expect(await resent.sendBatch('crash-2', [makeEvent('10.66.0.9')])).toEqual({ type: 'ack', batchId: 'crash-2' });
    const stored = await pg.query('SELECT count(*)::int AS n FROM security_events WHERE agent_id = $1', [id]);
    expect(stored.rows[0].n).toBe(events.length + 1);
    resent.close();
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  });

  it('agent revoke in another process closes the connection within a second (through Redis)', async () => {
    const { token } = await addAgent('pbx-revoked-by-cli');
    const server = await startChildServer(env, await freePort());
    children.push(server.child);
    const agent = await TestAgent.join(wsUrlOf(server.url), token);
    const revoke = runServerCommand(['agent', 'revoke', 'pbx-revoked-by-cli'], env);
    const result = await revoke;
    const revokedAt = Date.now();
    expect(result.code, result.stderr).toBe(0);
    expect(await agent.closed).toBe(CLOSE_CODES.revoked);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    server.child.kill('SIGTERM');
  });
});
