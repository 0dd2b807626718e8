import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsteriskLogParser } from './log-parser';
import type { ParseOptions, ParseOutcome } from './parse-outcome';

/**
 * Golden samples in ../testdata/*.log, in the spirit of fail2ban's tests/files/logs: each entry (one physical line,
 * or `"lines": N` of them) is preceded by `# expect: {json}`, a subset of the event (time as ISO 8601), or
 * `{"rejected": reason}`, or `{"ignored": true}`; an entry that yields several outcomes says `{"lines": N, "outcomes": [...]}`.
 * A `# options: {json}` line sets timeZone and now (ISO) for the cases after it.
 */
const dir = join(__dirname, '..', 'testdata');
/** No sample may ever produce it: it is the address forged in attacker-controlled text. */
const VICTIM = '203.0.113.66';

interface Case {
  file: string;
  at: number;
  expect: Record<string, unknown>[];
  lines: string[];
  options: ParseOptions;
}

function loadCases(file: string): Case[] {
  const rows = readFileSync(join(dir, file), 'utf8').split('\n');
  const cases: Case[] = [];
  let options: ParseOptions = {};
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as string;
    if (row.startsWith('# options: ')) {
      const o = JSON.parse(row.slice(11)) as { timeZone?: string; now?: string };
      options = { timeZone: o.timeZone, now: o.now === undefined ? undefined : Date.parse(o.now) };
    } else if (row.startsWith('# expect: ')) {
      const expected = JSON.parse(row.slice(10)) as Record<string, unknown>;
      const count = typeof expected.lines === 'number' ? expected.lines : 1;
      delete expected.lines;
      const outcomes = Array.isArray(expected.outcomes) ? (expected.outcomes as Record<string, unknown>[]) : expected.ignored === true ? [] : [expected];
      cases.push({ file, at: i + 2, expect: outcomes, lines: rows.slice(i + 1, i + 1 + count), options });
      i += count;
    }
  }
  return cases;
}

function run(c: Case): ParseOutcome[] {
  const parser = new AsteriskLogParser(c.options);
  const out = c.lines.flatMap((l, k) => parser.push(l, c.at + k));
  out.push(...parser.flush());
  return out;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
const all = files.flatMap(loadCases);

function check(o: ParseOutcome, expected: Record<string, unknown>, firstLine: number): void {
  const { time, rejected, line, ...rest } = expected;
  expect(o.line).toBe(typeof line === 'number' ? firstLine + line - 1 : firstLine);
  if (typeof rejected === 'string') {
    expect(o).toMatchObject({ kind: 'rejected', reason: rejected });
    return;
  }
  expect(o.kind, JSON.stringify(o)).toBe('event');
  if (o.kind !== 'event') return;
  if (time !== undefined) expect(new Date(o.event.time).toISOString()).toBe(time);
  expect(o.event).toMatchObject(rest);
}

describe('golden samples', () => {
  it('has samples in every file', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(all.filter((c) => c.file === f).length, f).toBeGreaterThan(3);
  });

  it.each(all.map((c) => [`${c.file}:${c.at}`, c] as const))('%s', (_name, c) => {
    const out = run(c);
    expect(out, JSON.stringify(out)).toHaveLength(c.expect.length);
    c.expect.forEach((expected, k) => check(out[k] as ParseOutcome, expected, c.at));
  });

  it('never returns the forged victim address, nor any secret, from any sample', () => {
    for (const c of all) {
      for (const o of run(c)) {
        const text = JSON.stringify(o);
        expect(text, `${c.file}:${c.at}`).not.toContain('SECRET');
        if (o.kind === 'event') expect(o.event.ip, `${c.file}:${c.at}`).not.toBe(VICTIM);
      }
    }
  });
});
