import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { ATTACKER_V4, createEnforcerLab, PBX_V4, type EnforcerLab } from '../enforcer/enforcer-lab';
import { agentStatus, runAgentCommand, startAgent } from '../support/agent-process';
import { netnsUnavailableReason } from '../support/netns';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

const unavailable = netnsUnavailableReason(['ip', 'nft']);
const ADMIN = 'nft-admin-token-0123456789';

// The real agent enforcing in a "pbx" network namespace: a ban decided by the server becomes an nftables element
// with its time left as timeout, an unban removes it, and uninstall-firewall leaves no table behind.
describe.skipIf(unavailable !== null)(`agent with real nftables${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: EnforcerLab;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let agent: ReturnType<typeof startAgent> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-nft-agent-'));
  const config = join(dir, 'agent.yaml');
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const banned4 = async (): Promise<Array<{ val: string; timeout?: number }>> => {
    const { stdout } = await lab.pbx.exec(['nft', '-j', 'list', 'set', 'inet', 'fleetban', 'banned4']);
    const set = (JSON.parse(stdout) as { nftables: Array<{ set?: { elem?: Array<string | { elem: { val: string; timeout?: number } }> } }> }).nftables.find((e) => e.set)?.set;
    return (set?.elem ?? []).map((e) => (typeof e === 'string' ? { val: e } : e.elem));
  };

  beforeAll(async () => {
    lab = await createEnforcerLab();
    db = await createTestDatabase('nftagent');
    redis = uniqueRedisPrefix('nftagent');
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN });
    const { token } = await server.app.get(AgentsService).add('pbx-ns');
    writeFileSync(join(dir, 'security'), '');
    const enrolled = await runAgentCommand(['enroll', '--server', server.url, '--token', token, '--config', config, '--log', join(dir, 'security'), '--state-dir', join(dir, 'state'), '--timezone', 'UTC', '--allow', PBX_V4]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const document = parse(readFileSync(config, 'utf8')) as { firewall: Record<string, unknown> };
    document.firewall.commandPrefix = ['ip', 'netns', 'exec', lab.pbx.name];
    writeFileSync(config, stringify(document), { mode: 0o600 });
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
    await lab?.lab.destroy();
  });

  it('enforces a fleet ban with its remaining time, lifts it on unban, and uninstalls cleanly', async () => {
    agent = startAgent(config);
    await expect.poll(async () => (await agentStatus(config)).connected, { timeout: 20_000, interval: 250 }).toBe(true);
    expect((await api('POST', '/bans', { ip: ATTACKER_V4, duration: '1h', reason: 'netns test' })).status).toBe(201);
    await expect.poll(async () => (await banned4()).map((e) => e.val), { timeout: 10_000, interval: 100 }).toContain(ATTACKER_V4);
    const element = (await banned4()).find((e) => e.val === ATTACKER_V4);
    expect(element?.timeout).toBeGreaterThan(3500);
    expect(element?.timeout).toBeLessThanOrEqual(3600);
    expect((await agentStatus(config)).bans).toContain(ATTACKER_V4);

    expect((await api('POST', '/bans/lift', { ip: ATTACKER_V4 })).status).toBe(200);
    await expect.poll(async () => (await banned4()).map((e) => e.val), { timeout: 10_000, interval: 100 }).not.toContain(ATTACKER_V4);

    await agent.stop();
    expect((await runAgentCommand(['uninstall-firewall', '--config', config])).code).toBe(0);
    const { stdout } = await lab.pbx.exec(['nft', 'list', 'tables']);
    expect(stdout).not.toContain('fleetban');
  }, 90_000);
});
