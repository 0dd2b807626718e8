import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AllowlistEntry } from './allowlist';
import type { BanRecord } from './ban-record';
import { evaluate, evaluateEachScope, type EvaluateOptions } from './evaluate';
import type { Failure } from './failure';
import { parseJail } from './jail.schema';

/**
 * Golden policy cases, one JSON file each under libs/policy/testdata/evaluate (in the spirit of CrowdSec's
 * pkg/leakybucket/testdata): jail + failures + history + allowlist + now + expected decision(s). Times are ISO strings.
 * `expected` is matched with toMatchObject (list only what the case is about); `eachScope: true` calls
 * evaluateEachScope and expects an array.
 */
interface GoldenCase {
  description: string;
  jail: unknown;
  now: string;
  failures: Array<Omit<Failure, 'time' | 'session' | 'account'> & { time: string; session?: string | null; account?: string | null }>;
  history?: Array<Omit<BanRecord, 'createdAt' | 'until' | 'liftedAt'> & { createdAt: string; until: string | null; liftedAt?: string | null }>;
  allowlist?: AllowlistEntry[];
  options?: EvaluateOptions;
  eachScope?: boolean;
  expected: unknown;
}

const dir = join(__dirname, '..', 'testdata', 'evaluate');
const ms = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad time ${iso}`);
  return value;
};

/** Expected times may be written as ISO strings: convert them so the match compares numbers. */
function expectedTimes(expected: unknown): unknown {
  if (Array.isArray(expected)) return expected.map(expectedTimes);
  if (typeof expected !== 'object' || expected === null) return expected;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expected)) {
    out[key] = ['until', 'firstSeen', 'lastSeen'].includes(key) && typeof value === 'string' ? ms(value) : expectedTimes(value);
  }
  return out;
}

const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();

describe('golden policy cases', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', (file) => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as GoldenCase;
    const jail = parseJail(c.jail);
    const failures: Failure[] = c.failures.map((f) => ({ ...f, time: ms(f.time), session: f.session ?? null, account: f.account ?? null }));
    const history: BanRecord[] = (c.history ?? []).map((h) => ({
      ...h,
      createdAt: ms(h.createdAt),
      until: h.until === null ? null : ms(h.until),
      liftedAt: h.liftedAt == null ? null : ms(h.liftedAt),
    }));
    const args = [jail, failures, history, c.allowlist ?? [], ms(c.now), c.options ?? {}] as const;
    const actual = c.eachScope ? evaluateEachScope(...args) : evaluate(...args);
    if (Array.isArray(c.expected)) expect(actual).toHaveLength(c.expected.length);
    expect(actual, c.description).toMatchObject(expectedTimes(c.expected) as object);
  });
});
