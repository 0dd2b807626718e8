import { describe, expect, it } from 'vitest';
import { FAILURE_EVENT_TYPES } from './event-type';
import { defaultJails } from './jail.presets';
import { JailValidationError, parseJail, validateJail } from './jail.schema';

const minimal = { name: 'asterisk', maxretry: 3, findtime: '10m', bantime: '1h' };

describe('jail schema', () => {
  it('fills defaults and converts durations to seconds', () => {
    const jail = parseJail(minimal);
    expect(jail).toMatchObject({
      name: 'asterisk',
      enabled: true,
      maxretry: 3,
      findtime: 600,
      bantime: 3600,
      scope: 'fleet',
      distinctHosts: null,
      action: 'drop',
      ports: 'all',
      countMode: 'attempts',
      attemptWindow: 2,
      ignoreip: [],
      increment: { enabled: false, factor: 1, maxtime: null, formula: 'fail2ban', multipliers: null, lookback: 2_592_000 },
    });
    expect(jail.eventTypes).toEqual([...FAILURE_EVENT_TYPES]);
  });

  it('a validated jail read back from storage (JSON) validates to itself', () => {
    const jails = [
      ...defaultJails(),
      parseJail(minimal),
      parseJail({ ...minimal, bantime: -1, ports: ['sip', '10000:20000'], ignoreip: '10.1.2.3/8 ::1', weights: { InvalidPassword: 2 }, distinctHosts: 3 }),
      parseJail({ ...minimal, increment: { enabled: true, maxtime: '1w', multipliers: [1, 2, 4] }, scope: 'host', countMode: 'lines', attemptWindow: '500ms' }),
    ];
    for (const jail of jails) expect(parseJail(JSON.parse(JSON.stringify(jail)))).toEqual(jail);
  });

  it.each([[-1], ['-1'], ['permanent']])('bantime %j is permanent', (value) => {
    expect(parseJail({ ...minimal, bantime: value }).bantime).toBe('permanent');
  });

  it('normalizes ignoreip from a fail2ban-style string, clearing host bits', () => {
    const jail = parseJail({ ...minimal, ignoreip: '127.0.0.1/8 ::1, 192.168.1.10' });
    expect(jail.ignoreip).toEqual(['127.0.0.0/8', '::1', '192.168.1.10']);
  });

  it('parses ports, names and ranges; 0:65535 means all', () => {
    expect(parseJail({ ...minimal, ports: [5060, 'sip-tls', '10000-20000'] }).ports).toEqual([
      { from: 5060, to: 5060 },
      { from: 5061, to: 5061 },
      { from: 10_000, to: 20_000 },
    ]);
    expect(parseJail({ ...minimal, ports: ['0:65535'] }).ports).toBe('all');
  });

  it.each([
    [{ eventTypes: ['SuccessfulAuth'] }, 'eventTypes.0', /SuccessfulAuth is not a failure/],
    [{ eventTypes: ['InvalidPassword', 'ChallengeSent'] }, 'eventTypes.1', /ChallengeSent is not a failure/],
    [{ eventTypes: ['InvalidPassword', 'InvalidPassword'] }, 'eventTypes.1', /twice/],
    [{ eventTypes: ['NoSuchType'] }, 'eventTypes.0', /./],
    [{ weights: { InvalidPassword: 2 }, eventTypes: ['InvalidAccountID'] }, 'weights.InvalidPassword', /not in eventTypes/],
    [{ maxretry: 0 }, 'maxretry', /./],
    [{ findtime: '10x' }, 'findtime', /unknown duration unit "x"/],
    [{ bantime: 'soon' }, 'bantime', /permanent/],
    [{ attemptWindow: 120 }, 'attemptWindow', /between 0s and 60s/],
    [{ findtime: 1, attemptWindow: 2 }, 'attemptWindow', /must not exceed findtime/],
    [{ increment: { enabled: true, maxtime: '1m' } }, 'increment.maxtime', /at least bantime/],
    [{ ignoreip: ['10.0.0.0/8', 'pbx.example.com'] }, 'ignoreip', /pbx.example.com/],
    [{ ports: ['99999'] }, 'ports', /not a port/],
    [{ maxretries: 3 }, '', /maxretries/],
    [{ name: 'bad name!' }, 'name', /letters/],
  ])('rejects %j naming the field', (patch, path, message) => {
    const result = validateJail({ ...minimal, ...patch });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('throws one error listing every problem with the jail name', () => {
    try {
      parseJail({ ...minimal, maxretry: 0, findtime: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JailValidationError);
      expect((error as JailValidationError).code).toBe('JAIL_INVALID');
      expect((error as Error).message).toMatch(/jail "asterisk": maxretry: .*; jail "asterisk": findtime: /);
    }
  });
});
