import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NftablesEnforcer, NftSessionRunner, type EnforcedElement } from '@fleetban/nftables';
import { BanEnforcement } from '../../apps/agent/src/runtime/ban-enforcement';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import { createServerApp, type ServerApp } from '../../apps/server/src/app/server-app';
import type { Ban, NewBan } from '../../apps/server/src/bans/ban';
import { BanAdminService } from '../../apps/server/src/bans/ban-admin.service';
import { BansService } from '../../apps/server/src/bans/bans.service';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { createLogger } from '../../apps/server/src/logging/logger';
import { NetnsLab, netnsUnavailableReason, sweepStaleNetns } from '../support/netns';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { serverEnv, TEST_TUNABLES } from '../support/server-instance';
import type { ServerMessage } from '@fleetban/protocol';
import { TestAgent, wsUrlOf } from '../support/test-agent';
import { createTestDatabase } from '../support/test-database';

const HOUR = 3_600_000;
const unavailable = netnsUnavailableReason(['ip', 'nft']);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * One PBX as the fleet sees it: a real WebSocket to the server, and the agent's own ban enforcement (its book,
 * its file, nftables in a network namespace) applying every ban message received, in order.
 */
class Pbx {
  private applied = 0;

  constructor(
    readonly name: string,
    readonly agentId: number,
    readonly token: string,
    public connection: TestAgent,
    readonly enforcement: BanEnforcement,
    readonly enforcer: NftablesEnforcer,
  ) {}

  async sync(): Promise<void> {
    const messages = this.connection.received;
    for (; this.applied < messages.length; this.applied++) {
      const message = messages[this.applied]!;
      if (message.type === 'bans.delta' || message.type === 'bans.snapshot') await this.enforcement.apply(message);
    }
  }

  async reconnect(url: string, lastBanSeq: number): Promise<void> {
    this.connection.close();
    this.connection = await TestAgent.join(url, this.token, { lastBanSeq });
    this.applied = 0;
  }

  /** Applies what arrives until the agent stands at `seq` of the change log (or later). */
  async reaches(seq: number, timeoutMs = 10_000): Promise<void> {
    await expect.poll(async () => (await this.sync(), this.enforcement.appliedSeq), { timeout: timeoutMs, interval: 20 }).toBeGreaterThanOrEqual(seq);
  }

  /** The kernel's element for `ip`, once `check` holds of it (null: absent), after applying what arrived. */
  async kernel(ip: string, check: (element: EnforcedElement | null) => boolean, timeoutMs = 10_000): Promise<EnforcedElement | null> {
    let element: EnforcedElement | null = null;
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      await this.sync();
      element = (await this.enforcer.list()).find((e) => e.cidr === ip) ?? null;
      if (check(element)) return element;
    }
    throw new Error(`${this.name}: ${ip} is ${JSON.stringify(element)} in the kernel after ${timeoutMs} ms; book: ${JSON.stringify(this.enforcement.active())}`);
  }
}

const absent = (e: EnforcedElement | null): boolean => e === null;
/** Present with about `ms` left (the kernel counts in seconds; allow for the time the test takes). */
const lasting = (ms: number) => (e: EnforcedElement | null): boolean => e !== null && e.expires !== null && Math.abs(e.expires * 1000 - ms) < 120_000;

// A fleet-wide ban and a host ban on the same address, on a fleet of two PBXs: lifting or expiring one of them
// must leave every agent enforcing what the other still requires, with the longest remaining time.
describe.skipIf(unavailable !== null)(`a fleet ban and a host ban on one address${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let lab: NetnsLab;
  let stateDir: string;
  let sql: Client;
  let pbx1: Pbx;
  let pbx2: Pbx;

  const place = async (ban: Partial<NewBan> & Pick<NewBan, 'target'>): Promise<Ban> => {
    const placed = await server.app.get(BansService).place({ jail: 'asterisk', scope: 'fleet', agentId: null, origin: 'automatic', reason: 'test', level: 0, expiresAt: new Date(Date.now() + HOUR), createdBy: null, evidence: null, ...ban });
    if (!placed) throw new Error(`ban of ${ban.target} refused`);
    return placed;
  };
  const hostBan = (target: string, ms: number) => place({ target, jail: 'per-host', scope: 'host', agentId: pbx1.agentId, expiresAt: new Date(Date.now() + ms) });
  const fleetBan = (target: string, ms: number) => place({ target, expiresAt: new Date(Date.now() + ms) });
  const latestSeq = async (): Promise<number> => Number((await sql.query('SELECT max(seq) AS seq FROM ban_changes')).rows[0].seq);
  const unban = (ban: Ban) => server.app.get(BanAdminService).liftById(ban.id, 'test');

  beforeAll(async () => {
    sweepStaleNetns();
    db = await createTestDatabase('overlap');
    redis = uniqueRedisPrefix('overlap');
    server = await createServerApp(loadServerConfig(serverEnv(db.url, redis.prefix)), { tunables: TEST_TUNABLES, logger: createLogger('warn', process.stderr) });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    lab = new NetnsLab();
    stateDir = mkdtempSync(join(tmpdir(), 'fleetban-overlap-'));
    const join_ = async (name: string): Promise<Pbx> => {
      const enrolled = await server.app.get(AgentsService).add(name);
      const netns = await lab.netns(name.replace(/\W/g, ''));
      const enforcer = new NftablesEnforcer({ table: 'fbtest', protected: ['127.0.0.0/8', '::1'] }, new NftSessionRunner({ prefix: netns.prefix }));
      const enforcement = new BanEnforcement(mkdtempSync(join(stateDir, `${name}-`)), enforcer, quiet);
      await enforcement.start();
      return new Pbx(name, enrolled.agent.id, enrolled.token, await TestAgent.join(wsUrlOf(server.url), enrolled.token), enforcement, enforcer);
    };
    pbx1 = await join_('pbx-1');
    pbx2 = await join_('pbx-2');
  });
  afterAll(async () => {
    for (const pbx of [pbx1, pbx2]) {
      pbx?.connection.close();
      await pbx?.enforcement.stop();
    }
    await sql?.end();
    await server?.shutdown();
    await lab?.destroy();
    await db?.drop();
    await redis?.cleanup();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('fleet ban first, longer host ban second: unbanning the host ban leaves the fleet ban on both PBXs', async () => {
    const ip = '203.0.113.61';
    await fleetBan(ip, HOUR);
    const host = await hostBan(ip, 2 * HOUR);
    await pbx1.kernel(ip, lasting(2 * HOUR));
    await pbx2.kernel(ip, lasting(HOUR));
    await unban(host);
    await pbx1.reaches(await latestSeq());
    await pbx1.kernel(ip, lasting(HOUR));
    await pbx2.kernel(ip, lasting(HOUR));
  });

  it('host ban first, fleet ban second: unbanning the fleet ban leaves the host ban on its PBX only', async () => {
    const ip = '203.0.113.62';
    await hostBan(ip, 2 * HOUR);
    const fleet = await fleetBan(ip, HOUR);
    await pbx1.kernel(ip, lasting(2 * HOUR));
    await pbx2.kernel(ip, lasting(HOUR));
    await unban(fleet);
    await pbx1.reaches(await latestSeq());
    await pbx2.kernel(ip, absent);
    await pbx1.kernel(ip, lasting(2 * HOUR));
  });

  it('a shorter ban added second does not shorten the longer one', async () => {
    const ip = '203.0.113.63';
    await hostBan(ip, 2 * HOUR);
    await fleetBan(ip, 10 * 60_000);
    await pbx2.kernel(ip, lasting(10 * 60_000));
    await pbx1.reaches(await latestSeq());
    expect(await pbx1.kernel(ip, lasting(2 * HOUR))).not.toBeNull();
  });

  it('the host ban expiring leaves the fleet ban; the fleet ban expiring leaves the host ban', async () => {
    const first = '203.0.113.64';
    await fleetBan(first, HOUR);
    await hostBan(first, 2000);
    const second = '203.0.113.65';
    await hostBan(second, HOUR);
    await fleetBan(second, 2000);
    // The kernel drops the short bans' timeouts by itself; what matters is the expiry job's remove changes after.
    const expired = async () => (await sql.query("SELECT host(target) AS ip, scope::text FROM bans WHERE lift_reason = 'expired' ORDER BY id")).rows;
    await expect.poll(expired, { timeout: 15_000, interval: 200 }).toEqual([{ ip: first, scope: 'host' }, { ip: second, scope: 'fleet' }]);
    await pbx1.reaches(await latestSeq());
    await pbx2.kernel(second, absent);
    await pbx1.kernel(first, lasting(HOUR));
    await pbx2.kernel(first, lasting(HOUR));
    await pbx1.kernel(second, lasting(HOUR));
  });

  it('after a snapshot, each PBX enforces each address once, with the longest of the bans that reach it', async () => {
    await pbx1.reconnect(wsUrlOf(server.url), 0);
    await pbx2.reconnect(wsUrlOf(server.url), 0);
    const lastPart = (m: ServerMessage): m is Extract<ServerMessage, { type: 'bans.snapshot' }> => m.type === 'bans.snapshot' && m.last;
    const snapshot = await pbx1.connection.until(lastPart, 10_000);
    const ips = snapshot.bans.map((b) => b.ip);
    expect(new Set(ips).size).toBe(ips.length);
    await pbx2.connection.until(lastPart, 10_000);
    await pbx1.kernel('203.0.113.61', lasting(HOUR));
    await pbx1.kernel('203.0.113.62', lasting(2 * HOUR));
    await pbx1.kernel('203.0.113.63', lasting(2 * HOUR));
    await pbx1.kernel('203.0.113.65', lasting(HOUR));
    await pbx2.kernel('203.0.113.62', absent);
    await pbx2.kernel('203.0.113.63', lasting(10 * 60_000));
    await pbx2.kernel('203.0.113.65', absent);
  });

  it('unbanning the address lifts both bans everywhere', async () => {
    const ip = '203.0.113.66';
    await fleetBan(ip, HOUR);
    await hostBan(ip, 2 * HOUR);
    await pbx1.kernel(ip, lasting(2 * HOUR));
    expect((await server.app.get(BanAdminService).liftByIp(ip, 'test')).map((b) => b.scope).sort()).toEqual(['fleet', 'host']);
    await pbx1.kernel(ip, absent);
    await pbx2.kernel(ip, absent);
  });
});
