import { describe, expect, it } from 'vitest';
import { formatAbsolute, formatRelative, formatSeconds, formatSpan, formatTime } from './time.formatter';

const NOW = Date.parse('2026-11-29T15:00:00Z');

describe('time formatting', () => {
  it('spans in at most two units', () => {
    expect([0, 42, 60, 59 * 60 + 59, 3600, 5400, 86_399, 86_400, 2 * 86_400 + 4 * 3600 + 59].map(formatSpan)).toEqual(['0s', '42s', '1m', '59m', '1h', '1h30m', '23h59m', '1d', '2d4h']);
    expect(formatSpan(-90)).toBe('1m');
  });

  it('relative times in the future and the past', () => {
    expect(formatRelative('2026-11-29T16:00:00Z', NOW)).toBe('in 1h');
    expect(formatRelative('2026-11-29T14:57:00Z', NOW)).toBe('3m ago');
    expect(formatRelative('2026-11-29T15:00:00.400Z', NOW)).toBe('just now');
    expect(formatRelative('not a time', NOW)).toBe('not a time');
  });

  it('absolute times in UTC to the second, with the relative one', () => {
    expect(formatAbsolute('2026-11-29T16:20:01.123+01:00')).toBe('2026-11-29 15:20:01 UTC');
    expect(formatTime('2026-12-01T15:00:00Z', NOW)).toBe('2026-12-01 15:00:00 UTC (in 2d)');
    expect(formatTime(null, NOW)).toBe('-');
  });

  it('seconds as durations, permanent kept', () => {
    expect([600, 3600, 90, 604_800, 'permanent', -1, 'x'].map(formatSeconds)).toEqual(['10m', '1h', '90s', '1w', 'permanent', 'permanent', 'x']);
  });
});
