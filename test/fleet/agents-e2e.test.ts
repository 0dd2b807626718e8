import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { agentStatus, invalidAccountLine, runAgentCommand, startAgent } from '../support/agent-process';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

const ADMIN = 'e2e-admin-token-0123456789';

// Real agents (the built bin, in dry-run) following real files, a real server: a scanner caught on one PBX is
// banned on the other; the agents' enroll, run and status commands work as an admin would use them.
describe('two agents and a server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-e2e-'));
  const agents: Array<ReturnType<typeof startAgent>> = [];
  const config = (name: string) => join(dir, name, 'agent.yaml');
  const log = (name: string) => join(dir, name, 'security');

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    redis = uniqueRedisPrefix('e2e');
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN });
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('enrolls with a valid token and refuses a wrong one', async () => {
    const service = server.app.get(AgentsService);
    for (const name of ['pbx-a', 'pbx-b']) {
      const { token } = await service.add(name);
      const result = await runAgentCommand(['enroll', '--server', server.url, '--token', token, '--config', config(name), '--log', log(name), '--state-dir', join(dir, name, 'state'), '--timezone', 'UTC', '--dry-run']);
      expect(result.stdout + result.stderr).toContain(`enrolled as ${name}`);
      expect(result.code).toBe(0);
    }
    const refused = await runAgentCommand(['enroll', '--server', server.url, '--token', `fbt_${'x'.repeat(43)}`, '--config', join(dir, 'bad.yaml')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused this token');
  });

  it('bans on pbx-b a scanner caught on pbx-a, and both report it in status', async () => {
    for (const name of ['pbx-a', 'pbx-b']) {
      writeFileSync(log(name), '');
      agents.push(startAgent(config(name)));
    }
    await expect.poll(async () => (await agentStatus(config('pbx-b'))).connected, { timeout: 20_000, interval: 250 }).toBe(true);
    await expect.poll(async () => (await agentStatus(config('pbx-a'))).connected, { timeout: 20_000, interval: 250 }).toBe(true);
    for (const [i, account] of ['100', '101', '102'].entries()) appendFileSync(log('pbx-a'), invalidAccountLine('203.0.113.9', account, `scan-${i}@attacker`));
    await expect
      .poll(async () => (await agentStatus(config('pbx-b'))).bans, { timeout: 20_000, interval: 250 })
      .toContain('203.0.113.9');
    const status = await agentStatus(config('pbx-a'));
    expect(status).toMatchObject({ running: true, connected: true, dryRun: true });
    expect(status.bans).toContain('203.0.113.9');
    expect((status.spool as { events: number }).events).toBe(0);
  });

  it("refuses to enforce a ban of its own loopback, and reports the refusal", async () => {
    const response = await fetch(`${server.url}/api/v1/bans`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ ip: '127.0.0.2' }) });
    expect(response.status).toBe(201);
    await expect.poll(async () => ((await agentStatus(config('pbx-b'))).refused as Array<{ ip: string }>).map((r) => r.ip), { timeout: 20_000, interval: 250 }).toContain('127.0.0.2');
    expect((await agentStatus(config('pbx-b'))).bans).not.toContain('127.0.0.2');
  });
});
