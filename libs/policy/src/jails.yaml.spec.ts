import { describe, expect, it } from 'vitest';
import { JailValidationError } from './jail.schema';
import { parseJailsYaml } from './jails.yaml';

const errorOf = (text: string): JailValidationError => {
  try {
    parseJailsYaml(text);
  } catch (error) {
    if (error instanceof JailValidationError) return error;
    throw error;
  }
  throw new Error('expected a JailValidationError');
};

describe('parseJailsYaml', () => {
  it('parses jails keyed by name, with duration strings', () => {
    const jails = parseJailsYaml(`
jails:
  asterisk:
    maxretry: 3
    findtime: 10m
    bantime: 1h
    ignoreip: [127.0.0.1/8, "::1"]
  asterisk-aggressive:
    enabled: false
    maxretry: 2
    findtime: 5m
    bantime: 1d
    increment: { enabled: true, maxtime: 1w }
    scope: host
    distinctHosts: 3
    action: reject
    ports: [5060, 5061, "10000-20000"]
    countMode: lines
    weights: { InvalidPassword: 2 }
`);
    expect(jails.map((j) => j.name)).toEqual(['asterisk', 'asterisk-aggressive']);
    expect(jails[0]).toMatchObject({ findtime: 600, bantime: 3600, ignoreip: ['127.0.0.0/8', '::1'] });
    expect(jails[1]).toMatchObject({ enabled: false, increment: { enabled: true, maxtime: 604_800 }, scope: 'host', distinctHosts: 3, action: 'reject', countMode: 'lines', weights: { InvalidPassword: 2 } });
  });

  it('names the jail and field of every problem at once', () => {
    const error = errorOf(`
jails:
  asterisk:
    maxretry: 0
    findtime: 10 minutes
    bantime: 1h
  other:
    maxretry: 3
    findtime: 1q
    bantime: 1h
    eventTypes: [SuccessfulAuth]
`);
    expect(error.issues.map((i) => `${i.jail}:${i.path}`).sort()).toEqual(['asterisk:maxretry', 'other:eventTypes.0', 'other:findtime']);
    expect(error.message).toMatch(/jail "other": eventTypes.0: SuccessfulAuth is not a failure and can never count/);
  });

  it('reports YAML syntax errors and duplicate jails with their line', () => {
    expect(errorOf('jails:\n  a:\n    maxretry: 3\n  a:\n    maxretry: 4\n').issues[0]).toMatchObject({ jail: null, path: 'line 4', message: expect.stringMatching(/unique/) });
    expect(errorOf('jails: [').issues[0]?.path).toMatch(/^line /);
  });

  it('rejects a document without a jails mapping, and a name that contradicts its key', () => {
    expect(errorOf('jail:\n  a: {}\n').issues[0]?.path).toBe('jails');
    expect(errorOf('jails:\n  - name: a\n').issues[0]?.path).toBe('jails');
    expect(errorOf('jails:\n  a: { name: b, maxretry: 3, findtime: 60, bantime: 60 }\n').issues).toEqual([{ jail: 'a', path: 'name', message: 'differs from its key "a"' }]);
  });
});
