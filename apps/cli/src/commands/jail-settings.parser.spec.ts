import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/cli-command';
import { parseJailSettings, parseSetting } from './jail-settings.parser';

describe('parseJailSettings', () => {
  it('types values as they look: numbers, booleans, null, durations as text', () => {
    expect(parseJailSettings(['maxretry=5', 'findtime=10m', 'enabled=false', 'bantime=permanent', 'distinctHosts=null', 'scope=host'])).toEqual({
      maxretry: 5,
      findtime: '10m',
      enabled: false,
      bantime: 'permanent',
      distinctHosts: null,
      scope: 'host',
    });
  });

  it('splits list fields on commas and spaces, numbers in ports', () => {
    expect(parseJailSettings(['ignoreip=10.0.0.0/8,192.0.2.1', 'ports=5060,5061, 10000-20000', 'eventTypes=InvalidPassword'])).toEqual({
      ignoreip: ['10.0.0.0/8', '192.0.2.1'],
      ports: [5060, 5061, '10000-20000'],
      eventTypes: ['InvalidPassword'],
    });
    expect(parseSetting('ports', 'all')).toBe('all');
    expect(parseSetting('ignoreip', '')).toEqual([]);
  });

  it('nests dotted keys and reads JSON values', () => {
    expect(parseJailSettings(['increment.enabled=true', 'increment.maxtime=1w', 'weights={"InvalidPassword":2}'])).toEqual({
      increment: { enabled: true, maxtime: '1w' },
      weights: { InvalidPassword: 2 },
    });
    expect(parseJailSettings(['ignoreip=["10.0.0.0/8"]'])).toEqual({ ignoreip: ['10.0.0.0/8'] });
  });

  it('keeps = inside the value', () => {
    expect(parseJailSettings(['note=a=b'])).toEqual({ note: 'a=b' });
  });

  it('refuses words without =, bad keys, repeats, conflicts and broken JSON', () => {
    for (const words of [[], ['maxretry'], ['=5'], ['max retry=5'], ['__proto__=1'], ['maxretry=1', 'maxretry=2'], ['increment=1', 'increment.enabled=true'], ['weights={bad']]) {
      expect(() => parseJailSettings(words), words.join(' ')).toThrow(UsageError);
    }
  });

  it('does not touch prototypes whatever the key', () => {
    const patch = parseJailSettings(['constructor=1', 'toString.x=2']);
    expect(patch).toEqual({ constructor: 1, toString: { x: 2 } });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
