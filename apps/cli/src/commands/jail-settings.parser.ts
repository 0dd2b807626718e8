import { UsageError } from '../cli/cli-command';

/** Jail fields that hold lists: a value is split on commas (and spaces), e.g. ignoreip=10.0.0.0/8,192.0.2.1. */
const LIST_FIELDS = new Set(['ignoreip', 'eventTypes', 'ports']);

const KEY = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Turns `key=value` words into a jail PATCH body. Values become what they look like: `true`/`false`, `null`, numbers,
 * lists for list fields, JSON for `[...]`/`{...}`, text otherwise (durations such as `10m` stay text: the server parses
 * them). Dotted keys nest: `increment.enabled=true` gives `{increment: {enabled: true}}`.
 */
export function parseJailSettings(words: string[]): Record<string, unknown> {
  if (words.length === 0) throw new UsageError('missing key=value (e.g. maxretry=5 findtime=10m enabled=false)');
  const patch: Record<string, unknown> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (eq < 0 || !KEY.test(key)) throw new UsageError(`'${word}' is not key=value (e.g. maxretry=5, ignoreip=10.0.0.0/8,192.0.2.1)`);
    assign(patch, key.split('.'), parseSetting(key, word.slice(eq + 1)), key);
  }
  return patch;
}

/** One value, typed as described in {@link parseJailSettings}. */
export function parseSetting(key: string, text: string): unknown {
  const value = text.trim();
  if (value.startsWith('[') || value.startsWith('{')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new UsageError(`${key}: '${value}' looks like JSON but does not parse`);
    }
  }
  const field = key.split('.').at(-1) ?? key;
  if (LIST_FIELDS.has(field) && !(field === 'ports' && value === 'all')) {
    return value.split(/[\s,]+/).filter(Boolean).map(scalar);
  }
  return scalar(value);
}

function scalar(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (NUMBER.test(value)) return Number(value);
  return value;
}

function assign(target: Record<string, unknown>, path: string[], value: unknown, key: string): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    if (Object.hasOwn(target, head)) throw new UsageError(`${key} is set twice`);
    target[head] = value;
    return;
  }
  const existing = Object.hasOwn(target, head) ? target[head] : undefined;
  if (existing !== undefined && (typeof existing !== 'object' || existing === null || Array.isArray(existing))) throw new UsageError(`${key} conflicts with ${head}=...`);
  const child = (existing ?? {}) as Record<string, unknown>;
  target[head] = child;
  assign(child, rest, value, key);
}
