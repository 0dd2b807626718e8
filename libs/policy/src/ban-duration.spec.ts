import { describe, expect, it } from 'vitest';
import { banDuration } from './ban-duration';
import { parseJail } from './jail.schema';

const DAY = 86_400;
const jail = (increment: object, bantime: number | string = '1d') => parseJail({ name: 'j', maxretry: 2, findtime: 300, bantime, increment });

describe('banDuration (fail2ban bantime.increment)', () => {
  it('default formula, factor 1, maxtime 7d: 1d, 2d, 4d, 7d, 7d', () => {
    const j = jail({ enabled: true, factor: 1, maxtime: '7d' });
    expect([0, 1, 2, 3, 4].map((level) => banDuration(j, level))).toEqual([1, 2, 4, 7, 7].map((d) => d * DAY));
  });

  it('default formula, factor 2 (fail2ban: bantime x 2^n x factor after the first ban): 1d, 4d, 7d', () => {
    const j = jail({ enabled: true, factor: 2, maxtime: '7d' });
    expect([0, 1, 2].map((level) => banDuration(j, level))).toEqual([1, 4, 7].map((d) => d * DAY));
  });

  it('never shorter than bantime with a factor below 1, and the exponent stops at 20', () => {
    expect(banDuration(jail({ enabled: true, factor: 0.25 }, 600), 1)).toBe(600);
    expect(banDuration(jail({ enabled: true }, 1), 40)).toBe(2 ** 20);
  });

  it("'exp' formula: ln 2 as factor doubles like the default", () => {
    const j = jail({ enabled: true, formula: 'exp', factor: Math.LN2 }, 3600);
    expect([0, 1, 2, 3].map((level) => banDuration(j, level))).toEqual([3600, 7200, 14_400, 28_800]);
  });

  it('multipliers replace the formula, the last one repeating', () => {
    const j = jail({ enabled: true, multipliers: [1, 5, 30] }, 60);
    expect([0, 1, 2, 3, 9].map((level) => banDuration(j, level))).toEqual([60, 300, 1800, 1800, 1800]);
  });

  it('increment disabled: always bantime; permanent: null', () => {
    expect(banDuration(jail({ enabled: false }), 5)).toBe(DAY);
    expect(banDuration(jail({ enabled: true }, -1), 3)).toBeNull();
  });
});
