import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import type { ServerMessage } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { BAN_CHANGE_LOCK } from '../../apps/server/src/bans/ban';
import { BansService } from '../../apps/server/src/bans/bans.service';
import { BanFeedService } from '../../apps/server/src/fleet/ban-feed.service';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, wsUrlOf } from '../support/test-agent';

type Delta = Extract<ServerMessage, { type: 'bans.delta' }>;
type Snapshot = Extract<ServerMessage, { type: 'bans.snapshot' }>;

describe('ban changes fan out to agents on every instance', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let a: ServerApp;
  let b: ServerApp;
  let pg: Client;

  /** A newly enrolled agent joined to `instance` from seq 0, with the snapshot it was sent first. */
  async function freshAgent(instance: ServerApp, name: string): Promise<{ agent: TestAgent; snapshot: Snapshot }> {
    const { token } = await instance.app.get(AgentsService).add(name);
    const agent = await TestAgent.join(wsUrlOf(instance.url), token, { lastBanSeq: 0 });
    return { agent, snapshot: await agent.until((m): m is Snapshot => m.type === 'bans.snapshot') };
  }

  /** What a ban writer does: Ban + BanChange in one transaction under the log's advisory lock. Returns the seq. */
  async function writeChange(target: string, op: 'add' | 'remove', options: { agentId?: number; expiresAt?: Date | null } = {}): Promise<number> {
    await pg.query('BEGIN');
    await pg.query('SELECT pg_advisory_xact_lock($1)', [BAN_CHANGE_LOCK]);
    const expiresAt = options.expiresAt === undefined ? new Date(Date.now() + 3_600_000) : options.expiresAt;
    const scope = options.agentId === undefined ? 'fleet' : 'host';
    let banId: string;
    if (op === 'add') {
      const ban = await pg.query(`INSERT INTO bans (target, jail, scope, agent_id, origin, reason, expires_at) VALUES ($1, 'asterisk', $2, $3, 'automatic', 'test', $4) RETURNING id`, [target, scope, options.agentId ?? null, expiresAt]);
      banId = ban.rows[0].id;
    } else {
      const ban = await pg.query(`UPDATE bans SET lifted_at = now(), lift_reason = 'manual' WHERE target = $1 AND lifted_at IS NULL RETURNING id`, [target]);
      banId = ban.rows[0].id;
    }
    const change = await pg.query('INSERT INTO ban_changes (ban_id, op, target, agent_id, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq', [banId, op, target, options.agentId ?? null, expiresAt]);
    await pg.query('COMMIT');
    return Number(change.rows[0].seq);
  }

  const nextDelta = (agent: TestAgent, seq: number, timeoutMs = 1000): Promise<Delta> => agent.until((m): m is Delta => m.type === 'bans.delta' && m.seq === seq, timeoutMs);

  beforeAll(async () => {
    db = await createTestDatabase('fanout');
    redis = uniqueRedisPrefix('fanout');
    // A long poll, so that only the Redis notification can deliver within the test's deadlines.
    [a, b] = await Promise.all([startInProcess(db.url, redis.prefix, { banFeedPollMs: 60_000 }), startInProcess(db.url, redis.prefix, { banFeedPollMs: 60_000 })]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([a?.shutdown(), b?.shutdown()]);
    await redis?.cleanup();
    await db?.drop();
  });

  it('a change published through instance A reaches an agent connected to instance B', async () => {
    expect(a.port).not.toBe(b.port);
    const { agent, snapshot } = await freshAgent(b, 'pbx-on-b');
    expect(snapshot).toMatchObject({ bans: [], last: true });

    const expiresAt = new Date(Date.now() + 600_000);
    const seq = await writeChange('203.0.113.66', 'add', { expiresAt });
    const started = Date.now();
    await a.app.get(BanFeedService).publish({ seq: BigInt(seq) });
    const delta = await nextDelta(agent, seq);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(delta).toEqual({ type: 'bans.delta', seq, add: [{ ip: '203.0.113.66', until: expiresAt.getTime(), jail: 'asterisk' }], remove: [] });

    const liftSeq = await writeChange('203.0.113.66', 'remove');
    await a.app.get(BanFeedService).publish({ seq: liftSeq });
    expect(await nextDelta(agent, liftSeq)).toEqual({ type: 'bans.delta', seq: liftSeq, add: [], remove: ['203.0.113.66'] });
    agent.close();
  });

  it('an agent reconnecting with lastBanSeq gets what it missed; one with 0 gets a snapshot of active bans', async () => {
    const { token } = await a.app.get(AgentsService).add('pbx-reconnects');
    const first = await TestAgent.join(wsUrlOf(a.url), token, { lastBanSeq: 0 });
    const { seq: start } = await first.until((m): m is Snapshot => m.type === 'bans.snapshot');
    first.close();

    const s1 = await writeChange('198.51.100.0/24', 'add', { expiresAt: null });
    const s2 = await writeChange('2001:db8::7', 'add');
    const again = await TestAgent.join(wsUrlOf(b.url), token, { lastBanSeq: start });
    const missed = await nextDelta(again, s2, 3000);
    expect(missed.add.map((ban) => [ban.ip, ban.until])).toEqual([['198.51.100.0/24', null], ['2001:db8::7', expect.any(Number)]]);
    expect(missed.remove).toEqual([]);
    expect(s1).toBeLessThan(s2);
    again.close();

    const fresh = await TestAgent.join(wsUrlOf(b.url), token, { lastBanSeq: 0 });
    const snapshot = await fresh.until((m): m is Snapshot => m.type === 'bans.snapshot', 3000);
    expect(snapshot.seq).toBe(s2);
    expect(snapshot.bans.map((ban) => ban.ip).sort()).toEqual(['198.51.100.0/24', '2001:db8::7']);
    fresh.close();
  });

  it('a host-scoped ban reaches only its agent', async () => {
    const agents = b.app.get(AgentsService);
    const host = await agents.add('pbx-host-scope');
    const other = await agents.add('pbx-not-scoped');
    const hostAgent = await TestAgent.join(wsUrlOf(b.url), host.token, { lastBanSeq: 0 });
    const otherAgent = await TestAgent.join(wsUrlOf(a.url), other.token, { lastBanSeq: 0 });
    await Promise.all([hostAgent.until((m): m is Snapshot => m.type === 'bans.snapshot'), otherAgent.until((m): m is Snapshot => m.type === 'bans.snapshot')]);
    const hostSeq = await writeChange('192.0.2.99', 'add', { agentId: host.agent.id });
    const fleetSeq = await writeChange('192.0.2.100', 'add');
    await a.app.get(BanFeedService).publish({ seq: fleetSeq });
    expect((await nextDelta(hostAgent, fleetSeq)).add.map((ban) => ban.ip)).toEqual(['192.0.2.99', '192.0.2.100']);
    expect((await nextDelta(otherAgent, fleetSeq)).add.map((ban) => ban.ip)).toEqual(['192.0.2.100']);
    expect(otherAgent.received.some((m) => m.type === 'bans.delta' && m.add.some((ban) => ban.ip === '192.0.2.99'))).toBe(false);
    expect(hostSeq).toBeLessThan(fleetSeq);
    hostAgent.close();
    otherAgent.close();
  });

  it('a ban placed on instance A reaches an agent on instance B with the page of its notice', async () => {
    const { agent } = await freshAgent(b, 'pbx-page');
    const expiresAt = new Date(Date.now() + 900_000);
    const placed = await a.app.get(BansService).place({ target: '203.0.113.77', jail: 'asterisk', scope: 'fleet', agentId: null, origin: 'manual', reason: 'test', level: 0, expiresAt, createdBy: 'test', evidence: null });
    const { rows } = await pg.query<{ seq: string }>('SELECT seq FROM ban_changes WHERE ban_id = $1', [placed?.id]);
    const delta = await nextDelta(agent, Number(rows[0]?.seq));
    expect(delta).toMatchObject({ add: [{ ip: '203.0.113.77', until: expiresAt.getTime(), jail: 'asterisk' }], remove: [] });
    agent.close();
  });

  it('a notice whose page does not follow on from what was delivered makes the instance read the log: nothing missed is skipped', async () => {
    const { agent } = await freshAgent(b, 'pbx-gap');
    const expiresAt = new Date(Date.now() + 600_000);
    const lost = await writeChange('203.0.113.80', 'add', { expiresAt }); // its notice is lost
    const seq = await writeChange('203.0.113.81', 'add', { expiresAt });
    const ban = { target: '203.0.113.81', agentId: null, expiresAt, jail: 'asterisk', origin: 'automatic' };
    await a.app.get(BanFeedService).publish({ seq, page: { prevSeq: lost, rows: [{ seq, op: 'add', ...ban }], active: [ban] } });
    const delta = await nextDelta(agent, seq, 3000);
    expect(delta.add.map((added) => added.ip)).toEqual(['203.0.113.80', '203.0.113.81']);
    agent.close();
  });
});
