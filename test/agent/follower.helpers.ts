import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { FollowedLine } from '../../apps/agent/src/follower/followed-file';
import { LogFollower, type LogFollowerOptions } from '../../apps/agent/src/follower/log.follower';

/**
 * Opens followers of <dir>/security with the tests' short timings (cursor in <dir>/cursor.json); every follower
 * opened in a test is closed after it.
 */
export function followerFactory(): (dir: string, extra?: Partial<LogFollowerOptions>) => Promise<LogFollower> {
  const open: LogFollower[] = [];
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });
  return async (dir, extra = {}) => {
    const f = await LogFollower.open({ paths: [join(dir, 'security')], cursorFile: join(dir, 'cursor.json'), pollMs: 50, drainQuietMs: 200, ...extra });
    open.push(f);
    return f;
  };
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `fleetban-${prefix}-`));

/** Lines "L<n> <padding>" numbered by the writer, so a test checks the exact set delivered. */
export const numbered = (from: number, count: number, pad = 40): string =>
  Array.from({ length: count }, (_, i) => `L${from + i} ${'x'.repeat(pad)}\n`).join('');

export const lineNumber = (text: string): number => Number(/^L(\d+) /.exec(text)?.[1] ?? NaN);

export function appendLines(path: string, from: number, count: number): void {
  appendFileSync(path, numbered(from, count));
}

/** Reads lines until `count` were received (committing each chunk), or fails after timeoutMs. */
export async function collect(follower: LogFollower, count: number, timeoutMs = 5000, commit = true): Promise<FollowedLine[]> {
  const got: FollowedLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out with ${got.length} of ${count} lines: ${got.map((l) => lineNumber(l.text)).join(',')}`)), timeoutMs);
  });
  try {
    while (got.length < count) {
      const lines = await Promise.race([follower.next(), timeout]);
      if (lines.length === 0) break;
      got.push(...lines);
      if (commit) follower.commit(lines.map((l) => l.position));
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

/** Asserts nothing more arrives within ms (the pending read is left to close()). */
export async function nothingMore(follower: LogFollower, ms = 300): Promise<FollowedLine[]> {
  const extra = await Promise.race([follower.next(), new Promise<FollowedLine[]>((r) => setTimeout(() => r([]), ms))]);
  return extra;
}

export const numbers = (lines: FollowedLine[]): number[] => lines.map((l) => lineNumber(l.text));
export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
