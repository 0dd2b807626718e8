import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTERISK_AGGRESSIVE_JAIL } from '@fleetban/policy';
import { AllowlistService } from '../../apps/server/src/allowlist/allowlist.service';
import { BansService } from '../../apps/server/src/bans/bans.service';
import { BanEngine } from '../../apps/server/src/engine/ban-engine.service';
import { JailsService } from '../../apps/server/src/jails/jails.service';
import { startEngine } from './engine-harness';

const DAY = 86_400_000;

describe('ban engine over the fleet', () => {
  let h: Awaited<ReturnType<typeof startEngine>>;
  let engine: BanEngine;
  const bansOf = async (ip: string) =>
    (await h.sql.query('SELECT jail, scope, agent_id, expires_at, created_at, lifted_at, reason, level, evidence FROM bans WHERE target = $1::inet ORDER BY id', [ip])).rows;

  beforeAll(async () => {
    h = await startEngine();
    engine = h.app.get(BanEngine);
  });
  afterAll(async () => h?.close());

  it('bans after three failures in 600 s spread over three agents, once, fleet-wide', async () => {
    const now = Date.now();
    const [a, b, c] = h.agentIds as [number, number, number];
    await h.failure('203.0.113.10', a, now - 500_000);
    await h.failure('203.0.113.10', b, now - 200_000);
    expect(await engine.evaluateIp('203.0.113.10', now)).toBe(0);
    await h.failure('203.0.113.10', c, now - 1000);
    expect(await engine.evaluateIp('203.0.113.10', now)).toBe(1);
    expect(await engine.evaluateIp('203.0.113.10', now)).toBe(0);
    const [ban] = await bansOf('203.0.113.10');
    expect(ban).toMatchObject({ jail: 'asterisk', scope: 'fleet', agent_id: null, lifted_at: null });
    expect(ban.expires_at.getTime() - now).toBeCloseTo(3600_000, -4);
    expect(ban.evidence).toMatchObject({ failures: 3, attempts: 3, agents: h.agentIds.map(String).sort() });
    expect(await bansOf('203.0.113.10')).toHaveLength(1);
  });

  it('evaluates many IPs in one call, each against its own failures and history (network bans included)', async () => {
    const now = Date.now();
    const [a, b] = h.agentIds as [number, number];
    const flood = Array.from({ length: 10 }, (_, i) => `203.0.113.${20 + i}`);
    for (const ip of flood) for (let k = 0; k < (ip === '203.0.113.25' ? 2 : 3); k++) await h.failure(ip, k % 2 === 0 ? a : b, now - 1000 * (k + 1));
    for (let k = 0; k < 3; k++) await h.failure('203.0.113.30', a, now - 1000 * (k + 1));
    expect(await engine.evaluateIp('203.0.113.30', now)).toBe(1);
    await h.app.get(BansService).place({ target: '192.0.2.64/29', jail: null, scope: 'fleet', agentId: null, origin: 'manual', reason: 'test network', level: 0, expiresAt: null, createdBy: 'test', evidence: null });
    for (let k = 0; k < 3; k++) await h.failure('192.0.2.66', a, now - 1000 * (k + 1));

    // Evaluated after the manual ban was created: the policy ignores bans from its future.
    expect(await engine.evaluateIps([...flood, '203.0.113.30', '192.0.2.66', '203.0.113.99'], Date.now())).toBe(9);
    const { rows } = await h.sql.query("SELECT host(target) AS ip, count(*)::int AS n FROM bans WHERE jail = 'asterisk' AND target <<= '203.0.113.0/24' AND host(target) <> '203.0.113.10' GROUP BY target ORDER BY target");
    expect(rows).toEqual([...flood.filter((ip) => ip !== '203.0.113.25'), '203.0.113.30'].map((ip) => ({ ip, n: 1 })));
    expect(await bansOf('192.0.2.66')).toEqual([]);
    expect(await engine.evaluateIps(flood, Date.now())).toBe(0);
  });

  it('does not count failures outside findtime', async () => {
    const now = Date.now();
    const [a] = h.agentIds as [number];
    await h.failure('203.0.113.11', a, now - 700_000);
    await h.failure('203.0.113.11', a, now - 650_000);
    await h.failure('203.0.113.11', a, now - 10_000);
    expect(await engine.evaluateIp('203.0.113.11', now)).toBe(0);
    expect(await bansOf('203.0.113.11')).toEqual([]);
  });

  it('counts the lines of one attempt once (same session within 2 s)', async () => {
    const now = Date.now();
    const [a] = h.agentIds as [number];
    for (let i = 0; i < 15; i++) await h.failure('203.0.113.12', a, now - 5000 + i, 'ChallengeResponseFailed', 'call-1@pbx');
    await h.failure('203.0.113.12', a, now - 4000, 'InvalidAccountID', 'call-2@pbx');
    expect(await engine.evaluateIp('203.0.113.12', now)).toBe(0);
    await h.failure('203.0.113.12', a, now - 3000, 'InvalidAccountID', 'call-3@pbx');
    expect(await engine.evaluateIp('203.0.113.12', now)).toBe(1);
  });

  it('never bans an allowlisted address, and allowlisting lifts an active ban', async () => {
    const now = Date.now();
    const [a] = h.agentIds as [number];
    const allowlist = h.app.get(AllowlistService);
    await allowlist.add({ cidr: '198.51.100.0/24', agentId: null, note: 'trunk provider' }, 'test');
    for (let i = 0; i < 10; i++) await h.failure('198.51.100.7', a, now - 1000 * i);
    expect(await engine.evaluateIp('198.51.100.7', now)).toBe(0);
    expect(await bansOf('198.51.100.7')).toEqual([]);

    for (let i = 0; i < 3; i++) await h.failure('192.0.2.99', a, now - 1000 * i);
    expect(await engine.evaluateIp('192.0.2.99', now)).toBe(1);
    const { lifted } = await allowlist.add({ cidr: '192.0.2.99', agentId: null, note: 'office' }, 'test');
    expect(lifted.map((b) => b.target)).toEqual(['192.0.2.99']);
    expect((await bansOf('192.0.2.99'))[0]).toMatchObject({ lifted_at: expect.any(Date) });
  });

  it('bans after one failure on each of three agents with distinctHosts 3', async () => {
    const jails = h.app.get(JailsService);
    await jails.save({ ...(await jails.get('asterisk')), name: 'low-and-slow', maxretry: 100, findtime: 86_400, distinctHosts: 3 });
    const now = Date.now();
    const [a, b, c] = h.agentIds as [number, number, number];
    await h.failure('203.0.113.13', a, now - 80_000_000);
    await h.failure('203.0.113.13', b, now - 40_000_000);
    expect(await engine.evaluateIp('203.0.113.13', now)).toBe(0);
    await h.failure('203.0.113.13', c, now - 10);
    expect(await engine.evaluateIp('203.0.113.13', now)).toBe(1);
    expect((await bansOf('203.0.113.13'))[0]).toMatchObject({ jail: 'low-and-slow', scope: 'fleet' });
    await jails.save({ ...(await jails.get('low-and-slow')), enabled: false });
  });

  it('bans only on the host concerned in host scope', async () => {
    const jails = h.app.get(JailsService);
    await jails.save({ ...(await jails.get('asterisk')), enabled: false });
    await jails.save({ ...(await jails.get('asterisk')), name: 'per-host', enabled: true, scope: 'host' });
    const now = Date.now();
    const [a, b] = h.agentIds as [number, number];
    await h.failure('203.0.113.14', a, now - 3000);
    await h.failure('203.0.113.14', a, now - 2000);
    await h.failure('203.0.113.14', b, now - 1000);
    expect(await engine.evaluateIp('203.0.113.14', now)).toBe(0);
    await h.failure('203.0.113.14', a, now - 500);
    expect(await engine.evaluateIp('203.0.113.14', now)).toBe(1);
    expect(await bansOf('203.0.113.14')).toMatchObject([{ jail: 'per-host', scope: 'host', agent_id: a }]);
    await jails.save({ ...(await jails.get('per-host')), enabled: false });
    await jails.save({ ...(await jails.get('asterisk')), enabled: true });
  });

  it('increments repeat bans 1 d, 2 d, 4 d, 7 d, 7 d', async () => {
    const jails = h.app.get(JailsService);
    await jails.save({ ...(await jails.get('asterisk')), enabled: false });
    await jails.save({ ...ASTERISK_AGGRESSIVE_JAIL, enabled: true });
    const [a] = h.agentIds as [number];
    const durations: number[] = [];
    let now = Date.now();
    for (let round = 0; round < 5; round++) {
      await h.failure('203.0.113.15', a, now - 2000);
      await h.failure('203.0.113.15', a, now - 1000);
      expect(await engine.evaluateIp('203.0.113.15', now)).toBe(1);
      const bans = await bansOf('203.0.113.15');
      const ban = bans[bans.length - 1];
      durations.push(Math.round((ban.expires_at.getTime() - now) / DAY));
      await h.sql.query("UPDATE bans SET lifted_at = expires_at, lift_reason = 'expired' WHERE lifted_at IS NULL");
      now = ban.expires_at.getTime() + 60_000;
    }
    expect(durations).toEqual([1, 2, 4, 7, 7]);
    await jails.save({ ...(await jails.get('asterisk-aggressive')), enabled: false });
    await jails.save({ ...(await jails.get('asterisk')), enabled: true });
  });
});

describe('circuit breaker', () => {
  let h: Awaited<ReturnType<typeof startEngine>>;
  beforeAll(async () => {
    h = await startEngine({ FLEETBAN_BREAKER_LIMIT: '3' });
  });
  afterAll(async () => h?.close());

  it('pauses automatic banning past the limit per minute', async () => {
    const engine = h.app.get(BanEngine);
    const now = Date.now();
    const [a] = h.agentIds as [number];
    let placed = 0;
    for (let i = 1; i <= 5; i++) {
      for (let k = 0; k < 3; k++) await h.failure(`203.0.113.${100 + i}`, a, now - 1000 * k);
      placed += await engine.evaluateIp(`203.0.113.${100 + i}`, now);
    }
    expect(placed).toBe(3);
    const { rows } = await h.sql.query('SELECT count(*)::int AS n FROM bans');
    expect(rows[0].n).toBe(3);
  });
});

describe('circuit breaker under concurrent jobs', () => {
  let h: Awaited<ReturnType<typeof startEngine>>;
  beforeAll(async () => {
    h = await startEngine({ FLEETBAN_BREAKER_LIMIT: '4' });
  });
  afterAll(async () => h?.close());

  it('lets concurrent jobs spend the allowance of the minute only once', async () => {
    const engine = h.app.get(BanEngine);
    const now = Date.now();
    const [a] = h.agentIds as [number];
    const jobs = [0, 1, 2].map((j) => [0, 1, 2].map((i) => `203.0.113.${150 + 3 * j + i}`));
    for (const ip of jobs.flat()) for (let k = 0; k < 3; k++) await h.failure(ip, a, now - 1000 * (k + 1));
    const placed = await Promise.all(jobs.map((ips) => engine.evaluateIps(ips, now)));
    expect(placed.reduce((sum, n) => sum + n, 0)).toBe(4);
    const { rows } = await h.sql.query('SELECT count(*)::int AS n FROM bans');
    expect(rows[0].n).toBe(4);
  });
});
