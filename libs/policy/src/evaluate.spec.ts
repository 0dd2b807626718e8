import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllowlistEntry } from './allowlist';
import type { BanRecord } from './ban-record';
import { evaluate, evaluateEachScope } from './evaluate';
import type { Failure } from './failure';
import { ASTERISK_AGGRESSIVE_JAIL, ASTERISK_JAIL } from './jail.presets';
import { parseJail } from './jail.schema';
import { normalizeCidr } from '@fleetban/ip';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const failure = (time: number, agentId = 'pbx-a', ip = '203.0.113.7'): Failure => ({ time, ip, agentId, type: 'InvalidAccountID', session: null, account: null });
const burst = (now: number, n: number, ip?: string, agents = ['pbx-a', 'pbx-b', 'pbx-c']): Failure[] =>
  Array.from({ length: n }, (_, i) => failure(now - i * 1000, agents[i % agents.length], ip));

describe('evaluate: presets', () => {
  it('the asterisk jail bans 3 failures over 3 PBXs for 1 h, fleet-wide, and not 2', () => {
    expect(evaluate(ASTERISK_JAIL, burst(T0, 3), [], [], T0)).toMatchObject({ ban: true, scope: 'fleet', durationS: 3600, until: T0 + 3_600_000 });
    expect(evaluate(ASTERISK_JAIL, burst(T0, 2), [], [], T0)).toMatchObject({ ban: false, code: 'below-threshold' });
  });

  it('the asterisk jail never bans its private ranges', () => {
    for (const ip of ['127.0.0.1', '10.20.30.40', '192.168.1.1', '172.31.255.255', '::1']) {
      expect(evaluate(ASTERISK_JAIL, burst(T0, 10, ip), [], [], T0)).toMatchObject({ ban: false, code: 'allowlisted' });
    }
  });

  it('the aggressive preset is shipped disabled and, once enabled, escalates 1d, 2d, 4d, 7d, 7d', () => {
    expect(ASTERISK_AGGRESSIVE_JAIL.enabled).toBe(false);
    const jail = { ...ASTERISK_AGGRESSIVE_JAIL, enabled: true };
    const history: BanRecord[] = [];
    const durations: number[] = [];
    let now = T0;
    for (let round = 0; round < 5; round++) {
      const decision = evaluate(jail, burst(now, 2), history, [], now);
      if (!decision.ban) throw new Error(`round ${round}: ${decision.reason}`);
      expect(decision.level).toBe(round);
      durations.push((decision.durationS ?? 0) / 86_400);
      history.push({ jail: jail.name, scope: 'fleet', agentId: null, manual: false, createdAt: now, until: decision.until, liftedAt: null, liftedBy: null });
      // While the ban is active, more failures change nothing.
      expect(evaluate(jail, burst(now + 60_000, 2), history, [], now + 60_000)).toMatchObject({ ban: false, code: 'already-banned' });
      now = (decision.until ?? 0) + 3_600_000;
    }
    expect(durations).toEqual([1, 2, 4, 7, 7]);
  });
});

describe('evaluate: contract', () => {
  it('refuses failures of several IPs rather than merging them', () => {
    expect(() => evaluate(ASTERISK_JAIL, [failure(T0), failure(T0, 'pbx-a', '198.51.100.1')], [], [], T0)).toThrow(/one IP/);
  });

  it('treats ::ffff:a.b.c.d and a.b.c.d as one IP and bans the canonical form', () => {
    const failures = [failure(T0, 'pbx-a', '::ffff:203.0.113.7'), failure(T0 - 1, 'pbx-b'), failure(T0 - 2, 'pbx-c')];
    expect(evaluate(ASTERISK_JAIL, failures, [], [], T0)).toMatchObject({ ban: true, target: '203.0.113.7' });
  });

  it('needs an agentId for a host jail, or evaluateEachScope', () => {
    const host = { ...ASTERISK_JAIL, scope: 'host' as const };
    expect(() => evaluate(host, burst(T0, 3), [], [], T0)).toThrow(/agentId/);
    expect(evaluate(host, burst(T0, 3, undefined, ['pbx-a']), [], [], T0, { agentId: 'pbx-a' })).toMatchObject({ ban: true, scope: 'host', agentId: 'pbx-a' });
  });

  it("a host jail's distinctHosts trigger gives one fleet-wide decision", () => {
    const host = parseJail({ name: 'h', scope: 'host', maxretry: 5, findtime: 600, bantime: 60, distinctHosts: 3 });
    const decisions = evaluateEachScope(host, burst(T0, 3), [], [], T0);
    expect(decisions).toEqual([expect.objectContaining({ ban: true, scope: 'fleet', agentId: null, trigger: 'distinctHosts' })]);
  });

  it('no failures, no ban', () => {
    expect(evaluate(ASTERISK_JAIL, [], [], [], T0)).toMatchObject({ ban: false, code: 'no-failures' });
  });

  it('a manual ban already active counts as banned; a manual ban lifted by expiry does not raise the level', () => {
    const manual: BanRecord = { jail: null, scope: 'fleet', agentId: null, manual: true, createdAt: T0 - DAY_MS, until: null, liftedAt: null, liftedBy: null };
    expect(evaluate(ASTERISK_JAIL, burst(T0, 3), [manual], [], T0)).toMatchObject({ ban: false, reason: 'already banned permanently' });
    const expired = { ...manual, until: T0 - 1000 };
    expect(evaluate(ASTERISK_JAIL, burst(T0, 3), [expired], [], T0)).toMatchObject({ ban: true, level: 0 });
  });
});

/** Any v4 or v6 network, written with host bits possibly set (as users write 127.0.0.1/8). */
const network = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
).map(([ip, prefix]) => ({ ip, cidr: `${ip}/${prefix}` }));
const validNetwork = network.filter(({ cidr }) => normalizeCidr(cidr, { strict: false }) !== null);

describe('evaluate: the allowlist always wins (property)', () => {
  it('an IP inside any global, agent or jail entry is never banned, whatever the failures and jail', () => {
    fc.assert(
      fc.property(
        fc.array(validNetwork, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom('global', 'agent', 'jail'),
        fc.constantFrom('fleet', 'host'),
        fc.integer({ min: 1, max: 40 }),
        (entries, pick, where, scope, count) => {
          const chosen = entries[pick % entries.length] as { ip: string; cidr: string };
          const cidrs = entries.map((e) => e.cidr);
          const jail = parseJail({ name: 'p', maxretry: 1, findtime: 600, bantime: 60, scope, distinctHosts: 2, ignoreip: where === 'jail' ? cidrs : [] });
          const allowlist: AllowlistEntry[] = where === 'jail' ? [] : cidrs.map((cidr) => ({ cidr, agentId: where === 'agent' ? 'pbx-a' : null }));
          const failures = burst(T0, count, chosen.ip, ['pbx-a', 'pbx-b']);
          return evaluateEachScope(jail, failures, [], allowlist, T0).every((d) => !d.ban || (where === 'agent' && d.scope === 'host' && d.agentId !== 'pbx-a'));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an IPv4 address outside every entry is banned (checked against integer arithmetic)', () => {
    const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const inside = (ip: string, base: string, prefix: number) => prefix === 0 || toInt(ip) >>> (32 - prefix) === toInt(base) >>> (32 - prefix);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })), { maxLength: 5 }), fc.ipV4(), (entries, ip) => {
        const allowlist = entries.map(([base, prefix]) => ({ cidr: `${base}/${prefix}` }));
        const decision = evaluate(ASTERISK_JAIL, burst(T0, 3, ip), [], allowlist, T0);
        const protectedIp = entries.some(([base, prefix]) => inside(ip, base, prefix)) || ASTERISK_JAIL.ignoreip.some((c) => {
          const [base, prefix] = c.split('/') as [string, string | undefined];
          return !c.includes(':') && inside(ip, base, Number(prefix ?? 32));
        });
        return decision.ban === !protectedIp;
      }),
      { numRuns: 400 },
    );
  });
});
