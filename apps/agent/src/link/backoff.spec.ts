import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';
import { agentEndpoint } from './server-link';

describe('Backoff', () => {
  it('doubles its ceiling up to the maximum, jittered within the upper half', () => {
    const low = new Backoff(500, 30_000, () => 0);
    const high = new Backoff(500, 30_000, () => 1);
    const lows = Array.from({ length: 9 }, () => low.next());
    const highs = Array.from({ length: 9 }, () => high.next());
    expect(highs).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(lows).toEqual(highs.map((h) => h / 2));
  });

  it('starts over after a reset', () => {
    const b = new Backoff(100, 1000, () => 1);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('agentEndpoint', () => {
  it.each([
    ['http://s:8420', 'ws://s:8420/agent'],
    ['https://s:8420/', 'wss://s:8420/agent'],
    ['wss://s/fleet', 'wss://s/fleet/agent'],
  ])('%s -> %s', (base, expected) => expect(agentEndpoint(base)).toBe(expected));
});
