import { describe, expect, it } from 'vitest';
import type { Ban, Explanation, Status } from '../api/api-types';
import type { CliCommand, CommandInput } from '../cli/cli-command';
import { COMMANDS } from '../cli/commands';

const NOW = Date.parse('2026-11-29T15:00:00Z');
const plan = (name: string, positionals: string[] = [], values: CommandInput['values'] = {}) =>
  (COMMANDS.find((c) => c.name === name) as CliCommand).plan({ positionals, values, now: NOW });
const render = (name: string, responses: unknown[], positionals: string[] = [], values: CommandInput['values'] = {}): string =>
  plan(name, positionals, values).render(responses, { now: NOW });

const ban = (over: Partial<Ban>): Ban => ({
  id: 1,
  ip: '203.0.113.7',
  jail: 'asterisk',
  scope: 'fleet',
  agent: null,
  origin: 'automatic',
  reason: null,
  createdAt: '2026-11-29T14:50:00Z',
  expiresAt: '2026-11-29T16:00:00Z',
  liftedAt: null,
  active: true,
  evidence: { failures: 12, agents: ['pbx-01', 'pbx-02'] },
  ...over,
});

const STATUS: Status = {
  jails: [
    { name: 'asterisk', enabled: true, currentlyFailed: 3, totalFailed: 120, currentlyBanned: 2, totalBanned: 15, bannedIps: ['203.0.113.7', '198.51.100.0/24'] },
    { name: 'asterisk-aggressive', enabled: false, currentlyFailed: 0, totalFailed: 0, currentlyBanned: 0, totalBanned: 0, bannedIps: [] },
  ],
  agents: [{ name: 'pbx-01', connected: true, files: ['/var/log/asterisk/security'] }],
  breaker: { paused: false, reason: null },
};

describe('renderings', () => {
  it("status JAIL: fail2ban-client's tree, tab-separated", () => {
    const text = render('status', [{ ...STATUS, jails: [STATUS.jails[0]] }], ['asterisk']);
    expect(text).toContain(
      [
        'Status for the jail: asterisk',
        '|- Filter',
        '|  |- Currently failed:\t3',
        '|  |- Total failed:\t120',
        '|  `- File list:\tpbx-01:/var/log/asterisk/security',
        '`- Actions',
        '   |- Currently banned:\t2',
        '   |- Total banned:\t15',
        '   `- Banned IP list:\t203.0.113.7 198.51.100.0/24',
      ].join('\n'),
    );
    expect(text).toContain('Circuit breaker: closed: automatic bans on');
  });

  it('status: a row per jail, the agents and an open breaker', () => {
    const text = render('status', [{ ...STATUS, breaker: { paused: true, reason: '600 bans in a minute' } }]);
    expect(text).toMatch(/\nasterisk +yes +3 +120 +2 +15\n/);
    expect(text).toMatch(/\nasterisk-aggressive +no +0 +0 +0 +0\n/);
    expect(text).toMatch(/\npbx-01 +yes +\/var\/log\/asterisk\/security\n/);
    expect(text).toContain('OPEN: automatic bans paused (600 bans in a minute)');
  });

  it('bans: ip, jail, scope, until, reason', () => {
    const bans = [ban({}), ban({ id: 2, ip: '2001:db8::/64', jail: null, scope: 'host', agent: 'pbx-02', origin: 'manual', reason: 'scanner', expiresAt: null })];
    const lines = render('bans', [bans]).split('\n');
    expect(lines[0]).toMatch(/^IP +JAIL +SCOPE +UNTIL +REASON$/);
    expect(lines[1]).toMatch(/^203\.0\.113\.7 +asterisk +fleet +2026-11-29 16:00:00 UTC \(in 1h\) +12 failures on 2 agents$/);
    expect(lines[2]).toMatch(/^2001:db8::\/64 +- +host pbx-02 +permanent +scanner$/);
    expect(lines.at(-2)).toBe('2 active bans');
    expect(render('bans', [[]])).toBe('No active bans.\n');
    expect(render('bans', [[ban({ liftedAt: '2026-11-29T14:57:00Z', active: false })]], [], { all: true })).toContain('lifted 2026-11-29 14:57:00 UTC (3m ago)');
  });

  it('ban and unban: what was done, until when', () => {
    expect(render('ban', [ban({ id: 42, origin: 'manual', jail: null, expiresAt: '2026-12-01T15:00:00Z' })], ['203.0.113.7'])).toBe(
      'Banned 203.0.113.7 (fleet) until 2026-12-01 15:00:00 UTC (in 2d); ban id 42.\n',
    );
    expect(render('ban', [ban({ id: 43, ip: '198.51.100.0/24', expiresAt: null })], ['198.51.100.0/24'])).toBe('Banned 198.51.100.0/24 (fleet, jail asterisk) permanently; ban id 43.\n');
        expect(render('unban', [{ lifted: [ban({ active: false, liftedAt: '2026-11-29T15:00:00Z' })] }], ['203.0.113.7'])).toMatch(/^Lifted 1 ban overlapping 203\.0\.113\.7:\nIP .*\n203\.0\.113\.7 +asterisk +fleet +lifted/);
  });

  it('agent add and token add print the one-time token and the enroll command', () => {
    const agent = render('agent add', [{ name: 'pbx-03', token: 'fba_secret', enrollCommand: 'fleetban-agent enroll --server http://h:8420 --token fba_secret' }], ['pbx-03']);
    expect(agent).toContain('\n  fba_secret\n');
    expect(agent).toContain('\n  fleetban-agent enroll --server http://h:8420 --token fba_secret\n');
    expect(render('token add', [{ name: 'ci', role: 'viewer', token: 'fbt_x' }], ['ci'], { role: 'viewer' })).toContain('\n  fbt_x\n');
  });

  it('explain: allowlist, failures by agent and type, jail decisions, bans', () => {
    const x: Explanation = {
      ip: '203.0.113.7',
      allowlist: [],
      failures: { total: 42, byAgent: { 'pbx-02': 12, 'pbx-01': 30 }, byType: { InvalidAccountID: 40, ChallengeResponseFailed: 2 }, firstSeen: '2026-11-29T14:00:00Z', lastSeen: '2026-11-29T14:59:00Z' },
      jails: [{ name: 'asterisk', decision: { ban: true, reason: '42 failures >= 3 in 10m' } }, { name: 'asterisk-aggressive', decision: { ban: false, code: 'disabled', reason: 'jail disabled' } }],
      bans: [ban({})],
    };
    const text = render('explain', [x], ['203.0.113.7']);
    expect(text).toContain('Allowlisted:  none');
    expect(text).toContain('  by agent:   pbx-01 30, pbx-02 12');
    expect(text).toMatch(/\nasterisk-aggressive +no ban \(disabled\) +jail disabled\n/);
    expect(text).toMatch(/\nasterisk +ban +42 failures >= 3 in 10m\n/);
    const perScope = render('explain', [{ ...x, jails: [{ name: 'asterisk', decisions: [{ ban: true, scope: 'fleet', until: '2026-11-29T16:00:00Z', reason: 'r1' }, { ban: false, code: 'below_threshold', reason: 'r2' }] }] }], ['203.0.113.7']);
    expect(perScope).toMatch(/\nasterisk +ban fleet until 2026-11-29 16:00:00 UTC \(in 1h\) +r1\nasterisk +no ban \(below_threshold\) +r2\n/);
    expect(text).toMatch(/\nBans\nIP .*\n203\.0\.113\.7 +asterisk/);
  });

  it('jails NAME: every field, durations readable, lists joined', () => {
    const text = render('jails', [{ name: 'asterisk', enabled: true, maxretry: 3, findtime: 600, bantime: 'permanent', increment: { enabled: false, maxtime: 604_800 }, ignoreip: ['10.0.0.0/8', '::1/128'], ports: [{ from: 5060, to: 5061 }] }], ['asterisk']);
    expect(text).toMatch(/^findtime: +10m$/m);
    expect(text).toMatch(/^bantime: +permanent$/m);
    expect(text).toMatch(/^increment\.maxtime: +1w$/m);
    expect(text).toMatch(/^ignoreip: +10\.0\.0\.0\/8, ::1\/128$/m);
    expect(text).toMatch(/^ports: +5060-5061$/m);
  });

  it('events top: both tables; --json gives both lists', () => {
    const p = plan('events top');
    const responses = [[{ ip: '203.0.113.7', failures: 40, agents: 2, lastSeen: '2026-11-29T14:59:00Z' }], [{ account: '1000', failures: 33, ips: ['203.0.113.7'] }]];
    const text = p.render(responses, { now: NOW });
    expect(text).toMatch(/Top attackers \(last 1h\)\nIP +FAILURES +AGENTS +LAST SEEN\n203\.0\.113\.7 +40 +2 +1m ago\n/);
    expect(text).toMatch(/\n1000 +33 +1\n/);
    expect(p.json?.(responses)).toEqual({ attackers: responses[0], accounts: responses[1] });
  });

  it('escapes control characters an attacker put in an account name', () => {
    const text = render('events', [[{ id: 1, agent: 'pbx-01', time: '2026-11-29T14:59:00Z', type: 'InvalidAccountID', failure: true, ip: '203.0.113.7', account: 'x\x1b]0;pwned\x07' }]]);
    expect(text).not.toContain('\x1b');
    expect(text).toContain('x\\x1b]0;pwned\\x07');
  });
});
