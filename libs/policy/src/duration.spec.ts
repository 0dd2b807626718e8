import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    [600, 600],
    ['600', 600],
    ['10m', 600],
    ['1h', 3600],
    ['1d', 86_400],
    ['1w', 604_800],
    ['1h30m', 5400],
    ['1d 12h', 129_600],
    ['2 hours', 7200],
    ['3 minutes', 180],
    ['500ms', 0.5],
    ['2s', 2],
    ['1.5h', 5400],
    [' 7D ', 604_800],
  ] as const)('%j -> %d s', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'abc', '10x', '1h-5m', '-5', 'm10', '1e3'])('rejects %j with the text in the message', (input) => {
    expect(() => parseDuration(input)).toThrow(/duration|unit/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/>= 0/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow();
  });
});

describe('formatDuration', () => {
  it.each([
    [600, '10m'],
    [86_400, '1d'],
    [604_800, '1w'],
    [90, '90s'],
    [7200, '2h'],
  ])('%d -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
