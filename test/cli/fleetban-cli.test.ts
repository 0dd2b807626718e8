import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { fleetban, jsonOf, requireBuiltCli, type CliResult } from './fleetban.runner';

const ADMIN_TOKEN = 'cli-test-admin-token-0123456789abcdef';

interface BanJson {
  id: number | string;
  ip: string;
  active: boolean;
  reason: string | null;
  expiresAt: string | null;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

// The built CLI as operators run it, against a real server (PostgreSQL, Redis) started in this process.
// Each case spawns several CLI processes: generous timeouts for loaded CI machines.
describe('fleetban CLI against a running server', { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  /** `fleetban ...` as the admin. */
  let admin: (...args: string[]) => Promise<CliResult>;
  let withToken: (token: string | undefined, ...args: string[]) => Promise<CliResult>;

  beforeAll(async () => {
    requireBuiltCli();
    db = await createTestDatabase('cli');
    redis = uniqueRedisPrefix('cli');
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN_TOKEN });
    withToken = (token, ...args) => fleetban(args, { FLEETBAN_URL: server.url, FLEETBAN_TOKEN: token });
    admin = (...args) => withToken(ADMIN_TOKEN, ...args);
  });

  afterAll(async () => {
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('bans, lists the ban with its ip (table and --json), and unbans', async () => {
    const ban = await admin('ban', '203.0.113.7', '--for', '2h', '--reason', 'SIP scanner');
    expect(ban.code, ban.stderr).toBe(0);
    expect(ban.stdout).toMatch(/^Banned 203\.0\.113\.7 \(fleet\) until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (1h59m|2h)\); ban id \S+\.\n$/);

    const active = jsonOf<BanJson[]>(await admin('bans', '--json'));
    expect(Array.isArray(active)).toBe(true);
    const listed = active.find((b) => b.ip === '203.0.113.7');
    expect(listed).toMatchObject({ ip: '203.0.113.7', active: true, reason: 'SIP scanner' });
    expect(Date.parse(listed?.expiresAt ?? '') - Date.now()).toBeGreaterThan(7000 * 1000);

    const table = await admin('bans');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^IP +JAIL +SCOPE +UNTIL +REASON\n/);
    expect(table.stdout).toMatch(/\n203\.0\.113\.7 +\S+ +fleet +\d{4}-\d\d-\d\d [\d:]+ UTC \(in (1h59m|2h)\) +SIP scanner\n/);

    const unban = await admin('unban', '203.0.113.7', '--reason', 'customer called');
    expect(unban.code, unban.stderr).toBe(0);
    expect(unban.stdout).toMatch(/^Lifted 1 ban overlapping 203\.0\.113\.7:/);
    expect(jsonOf<BanJson[]>(await admin('bans', '--json')).some((b) => b.ip === '203.0.113.7')).toBe(false);
    expect(jsonOf<BanJson[]>(await admin('bans', '--lifted', '--json')).find((b) => b.ip === '203.0.113.7')).toMatchObject({ active: false });

    const again = await admin('unban', '203.0.113.7');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[404 not_banned]');
  });

  it('refuses to ban an allowlisted address: exit 1 with the conflict', async () => {
    const allow = await admin('allow', 'add', '192.0.2.50', '--note', 'office trunk');
    expect(allow.code, allow.stderr).toBe(0);
    expect(allow.stdout).toMatch(/^Allowlisted 192\.0\.2\.50(\/32)? \(global\) as entry \S+\.\n/);
    const ls = await admin('allow', 'ls');
    expect(ls.stdout).toMatch(/\n\S+ +192\.0\.2\.50(\/32)? +global +office trunk +\d{4}-/);

    const ban = await admin('ban', '192.0.2.50');
    expect(ban.code).toBe(1);
    expect(ban.stdout).toBe('');
    expect(ban.stderr).toMatch(/^fleetban ban: .*192\.0\.2\.50.*\[409 allowlisted\]\n/);
    expect(ban.stderr).toContain('fleetban explain 192.0.2.50');
    expect(jsonOf<BanJson[]>(await admin('bans', '--json')).some((b) => b.ip.startsWith('192.0.2.50'))).toBe(false);
  });

  it('passes bad input to the server and shows its 400 naming the field: exit 1', async () => {
    const wide = await admin('ban', '0.0.0.0/0');
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/too wide.*\[400 \w+\]/);
    const malformed = await admin('ban', '203.0.113.999');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('203.0.113.999');
    expect(malformed.stderr).toMatch(/ip/);
  });

  it('gives a viewer token exit 4 on writes, and lets it read', async () => {
    const created = jsonOf<{ name: string; role: string; token: string }>(await admin('token', 'add', 'dashboard', '--role', 'viewer', '--json'));
    expect(created).toMatchObject({ name: 'dashboard', role: 'viewer' });
    expect(created.token.length).toBeGreaterThan(10);

    const read = await withToken(created.token, 'bans');
    expect(read.code, read.stderr).toBe(0);
    const write = await withToken(created.token, 'ban', '198.51.100.9');
    expect(write.code).toBe(4);
    expect(write.stderr).toContain('[403 forbidden]');
    expect(write.stderr).toMatch(/admin token/);
    expect(write.stderr).not.toContain(created.token);

    const tokens = await admin('tokens');
    expect(tokens.stdout).toMatch(/\ndashboard +viewer +\d{4}-.* +active\n/);
    expect(tokens.stdout).not.toContain(created.token);

    expect((await admin('token', 'revoke', 'dashboard')).code).toBe(0);
    const revoked = await withToken(created.token, 'bans');
    expect(revoked.code).toBe(4);
    expect(revoked.stderr).toContain('[401 unauthenticated]');
  });

  it('exits 4 without a token, saying to pass one', async () => {
    const result = await withToken(undefined, 'status');
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/--token or FLEETBAN_TOKEN/);
    const wrong = await withToken('not-a-real-token-at-all-000000', 'bans');
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).not.toContain('not-a-real-token-at-all-000000');
  });

  it('exits 3 when the server cannot be reached, naming the URL', async () => {
    const url = await closedPortUrl();
    const result = await fleetban(['status', '--url', url, '--token', ADMIN_TOKEN]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the fleetban server at ${url}`);
    expect(result.stderr).toContain('--url or FLEETBAN_URL');
    expect(result.stderr).not.toContain(ADMIN_TOKEN);
  });

  it('exits 2 on an unknown command or flag, with the usage', async () => {
    const unknown = await admin('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fleetban: unknown command 'frobnicate'\n\nusage: fleetban status/);
    const flag = await admin('bans', '--color');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--color'");
    expect(flag.stderr).toContain('usage: fleetban bans');
    const help = await admin('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('exit codes:');
  });

  it('status and jails show the jails; jail set changes one at once', async () => {
    const status = await admin('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/\nasterisk +yes +\d+ +\d+ +\d+ +\d+\n/);
    expect(status.stdout).toContain('Circuit breaker: closed');
    const tree = await admin('status', 'asterisk');
    expect(tree.stdout).toContain('Status for the jail: asterisk\n|- Filter\n|  |- Currently failed:\t');
    expect(tree.stdout).toMatch(/`- Banned IP list:\t/);

    const set = await admin('jail', 'set', 'asterisk', 'maxretry=5', 'findtime=15m', 'ignoreip=10.0.0.0/8,192.0.2.1');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^maxretry: +5$/m);
    expect(set.stdout).toMatch(/^findtime: +15m$/m);
    const jail = jsonOf<{ maxretry: number; findtime: number; ignoreip: string[] }>(await admin('jails', 'asterisk', '--json'));
    expect(jail).toMatchObject({ maxretry: 5, findtime: 900 });
    expect(jail.ignoreip).toEqual(expect.arrayContaining(['10.0.0.0/8']));
    expect((await admin('jails')).stdout).toMatch(/\nasterisk +yes +5 +15m +\S+ +fleet +(yes|no)\n/);

    const bad = await admin('jail', 'set', 'asterisk', 'maxretry=-3');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('maxretry');
    const missing = await admin('jail', 'set', 'nope', 'maxretry=3');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[404');
  });

  it('agent add prints the token once and the enroll command; agents lists it; revoke', async () => {
    const add = await admin('agent', 'add', 'pbx-cli-01');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Agent pbx-cli-01 created\. Its token, shown only this once:\n {2}\S+\nEnroll the PBX by running there:\n {2}.*fleetban-agent.*\n$/);
    const agents = await admin('agents');
    expect(agents.stdout).toMatch(/\npbx-cli-01 +offline +/);
    const taken = await admin('agent', 'add', 'pbx-cli-01');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('[409');
    expect((await admin('agent', 'revoke', 'pbx-cli-01')).code).toBe(0);
    expect((await admin('agents')).stdout).toMatch(/\npbx-cli-01 +revoked +/);
  });

  it('events, events top, explain and audit answer with tables', async () => {
    expect((await admin('events', '--ip', '198.51.100.77', '--since', '1h')).stdout).toBe('No events match.\n');
    const top = await admin('events', 'top', '--since', '1d');
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toContain('Top attackers (last 1d)');
    expect(jsonOf<{ attackers: unknown[]; accounts: unknown[] }>(await admin('events', 'top', '--json'))).toEqual({ attackers: [], accounts: [] });

    expect((await admin('ban', '198.51.100.0/24', '--for', 'permanent', '--reason', 'hosting range')).code).toBe(0);
    const explain = await admin('explain', '198.51.100.20');
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^Address: +198\.51\.100\.20$/m);
    expect(explain.stdout).toMatch(/\n198\.51\.100\.0\/24 +\S+ +fleet +permanent +hosting range\n/);

    const audit = await admin('audit', '--limit', '100');
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^TIME +ACTOR +ACTION +TARGET +FROM\n/);
    expect(audit.stdout).toMatch(/\n.* admin +\S*ban\S* +198\.51\.100\.0\/24/);
  });

  it('--limit stops early and says more exist', async () => {
    for (const ip of ['203.0.113.21', '203.0.113.22', '203.0.113.23']) expect((await admin('ban', ip)).code).toBe(0);
    const limited = await admin('bans', '--limit', '2');
    expect(limited.code).toBe(0);
    expect(limited.stdout.trim().split('\n')).toHaveLength(1 + 2 + 2);
    expect(limited.stderr).toContain('showing the first 2');
    expect(jsonOf<BanJson[]>(await admin('bans', '--json', '--limit', '2'))).toHaveLength(2);
  });
});
