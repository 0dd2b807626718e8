import { describe, expect, it } from 'vitest';
import { countAttempts } from './attempt';
import type { SecurityEventType } from './event-type';
import type { Failure } from './failure';

const rule = { countMode: 'attempts' as const, attemptWindow: 2, weights: {} };
const at = (ms: number, session: string | null = 'call-1', type: SecurityEventType = 'InvalidAccountID', agentId = 'pbx-a'): Failure => ({
  time: ms,
  ip: '203.0.113.7',
  agentId,
  type,
  session,
  account: null,
});

describe('countAttempts', () => {
  it('counts same-session failures within the window once', () => {
    expect(countAttempts([at(0), at(5), at(1999), at(2000)], rule)).toHaveLength(1);
  });

  it('opens a new attempt more than attemptWindow after the anchor, not after the last failure', () => {
    // A failure every second: chaining on the last failure would hide all of them in one attempt.
    const failures = Array.from({ length: 10 }, (_, i) => at(i * 1000));
    expect(countAttempts(failures, rule).map((a) => a.time)).toEqual([0, 3000, 6000, 9000]);
  });

  it('a Call-ID reused over 10 s counts 5 times with a 2 s window', () => {
    const failures = Array.from({ length: 100 }, (_, i) => at(i * 100));
    expect(countAttempts(failures, rule)).toHaveLength(5);
  });

  it('bounds hiding for any reuse pattern: at least span / (window + 1 ms) attempts', () => {
    const failures = Array.from({ length: 50 }, (_, i) => at(i * 373 + (i % 7)));
    const span = (failures.at(-1) as Failure).time - (failures[0] as Failure).time;
    expect(countAttempts(failures, rule).length).toBeGreaterThanOrEqual(Math.floor(span / 2001));
  });

  it('failures without a session key count alone', () => {
    expect(countAttempts([at(0, null), at(1, null), at(2, null)], rule)).toHaveLength(3);
  });

  it('AMI: one security event with a session and its two NOTICE lines without one are one attempt', () => {
    const account = (f: Failure, name: string | null): Failure => ({ ...f, account: name });
    const failures = [account(at(18_123, '0x7f0001'), 'opennms'), account(at(18_000, null), 'opennms'), account(at(18_000, null), 'opennms')];
    const attempts = countAttempts(failures, rule);
    expect(attempts).toHaveLength(1);
    // The main log stamps whole seconds: the NOTICE lines come first, and the attempt starts with them.
    expect(attempts[0]).toMatchObject({ time: 18_000, anchor: 18_123, lastTime: 18_123, session: '0x7f0001' });
  });

  it('a line without session joins the nearest keyed attempt only within the window and with an agreeing account', () => {
    const withAccount = (f: Failure, name: string | null): Failure => ({ ...f, account: name });
    const keyed = withAccount(at(10_000, 's1'), '100');
    expect(countAttempts([keyed, withAccount(at(10_500, null), '200')], rule)).toHaveLength(2);
    expect(countAttempts([keyed, withAccount(at(12_001, null), '100')], rule)).toHaveLength(2);
    expect(countAttempts([keyed, withAccount(at(7_999, null), '100')], rule)).toHaveLength(2);
    expect(countAttempts([keyed, withAccount(at(8_000, null), null)], rule)).toHaveLength(1);
    expect(countAttempts([keyed, withAccount(at(10_500, null), '100'), withAccount(at(10_600, null), '100')].map((f) => ({ ...f, agentId: f.session ? 'pbx-a' : 'pbx-b' })), rule)).toHaveLength(3);
    const near = countAttempts([withAccount(at(10_000, 's1'), null), withAccount(at(11_000, 's2'), null), withAccount(at(10_900, null), null)], rule);
    expect(near.map((a) => a.failures.length)).toEqual([1, 2]);
  });

  it('sessions are per agent and per key', () => {
    expect(countAttempts([at(0, 'a'), at(1, 'b'), at(2, 'a', 'InvalidAccountID', 'pbx-b')], rule)).toHaveLength(3);
  });

  it('sorts unsorted input', () => {
    expect(countAttempts([at(4500), at(0), at(2500)], rule).map((a) => a.time)).toEqual([0, 2500]);
  });

  it('weighs an attempt as its heaviest type', () => {
    const weighted = { ...rule, weights: { InvalidPassword: 3, ChallengeResponseFailed: 2 } };
    const [attempt] = countAttempts([at(0, 's', 'InvalidAccountID'), at(1, 's', 'InvalidPassword'), at(2, 's', 'ChallengeResponseFailed')], weighted);
    expect(attempt).toMatchObject({ type: 'InvalidPassword', weight: 3, time: 0, lastTime: 2 });
    expect(attempt?.failures).toHaveLength(3);
  });

  it("lines mode counts every line, like fail2ban", () => {
    expect(countAttempts([at(0), at(1), at(2)], { ...rule, countMode: 'lines' })).toHaveLength(3);
  });

  it('a zero window still groups failures stamped the same millisecond', () => {
    expect(countAttempts([at(7), at(7), at(8)], { ...rule, attemptWindow: 0 })).toHaveLength(2);
  });
});
