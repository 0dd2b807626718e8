import { copyFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogFollower } from '../../apps/agent/src/follower/log.follower';
import { appendLines, collect, followerFactory, nothingMore, numbers, range, tempDir } from './follower.helpers';

const follow = followerFactory();

/** Where the stopped follower's cursor is, relative to the copy logrotate makes. */
type CursorAt = 'inside the copy' | 'at the end of the copy' | 'past the end of the copy';
/** The copy's mtime against the older rotated file's (copies get the time of the copy, or keep the original's). */
type CopyMtime = 'equal' | 'newer' | 'older';
/** A restart after logrotate truncated, or between its copy and its truncate (the copy of a file still read). */
type Truncation = 'before the restart' | 'after the restart';

/**
 * Builds the files of a copytruncate around a restart: security.2 is a renamed rotation the follower still holds
 * open (drained), security.1 the copy of the followed file, which is then truncated and refilled. Returns the
 * follower after the restart and the lines it must deliver, each once, in this order.
 */
async function restartAroundCopytruncate(at: CursorAt, mtime: CopyMtime, truncation: Truncation): Promise<{ g: LogFollower; expected: number[] }> {
  const dir = tempDir('ct-resume');
  const log = join(dir, 'security');
  writeFileSync(log, '');
  const f = await follow(dir, { drainQuietMs: 60_000 });
  appendLines(log, 0, 10);
  expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
  renameSync(log, `${log}.1`);
  appendLines(log, 10, 10);
  expect(numbers(await collect(f, 10))).toEqual(range(10, 10));
  const unread = at === 'inside the copy' ? range(20, 10) : [];
  if (at === 'inside the copy') appendLines(log, 20, 10); // written while the agent was down: unread
  // logrotate copytruncate, first half: shift the rotations, copy. The follower is idle (it reads only when asked).
  renameSync(`${log}.1`, `${log}.2`);
  copyFileSync(log, `${log}.1`);
  if (at === 'past the end of the copy') {
    appendLines(log, 20, 5); // Asterisk writes on between the copy and the truncate: read from the original
    expect(numbers(await collect(f, 5))).toEqual(range(20, 5));
  }
  await f.close();
  const t = statSync(`${log}.2`).mtimeMs / 1000;
  utimesSync(`${log}.1`, t, t + { equal: 0, newer: 60, older: -60 }[mtime]);
  const refill = (): void => {
    truncateSync(log, 0);
    appendLines(log, 30, 5);
  };
  if (truncation === 'before the restart') refill();
  const g = await follow(dir);
  if (truncation === 'after the restart') refill();
  return { g, expected: [...unread, ...range(30, 5)] };
}

describe('LogFollower restarted around a copytruncate reads every line once', () => {
  const cases = (['inside the copy', 'at the end of the copy', 'past the end of the copy'] as const).flatMap((at) =>
    (['equal', 'newer', 'older'] as const).flatMap((mtime) => (['before the restart', 'after the restart'] as const).map((t) => [at, mtime, t] as const)),
  );

  it.each(cases)('cursor %s, copy mtime %s, truncated %s', async (at, mtime, truncation) => {
    const { g, expected } = await restartAroundCopytruncate(at, mtime, truncation);
    expect(numbers(await collect(g, expected.length))).toEqual(expected);
    expect(numbers(await nothingMore(g))).toEqual([]);
    expect(g.status()[0]?.lastError).toBeNull();
  });
});

describe('LogFollower and what copytruncate itself loses', () => {
  it('misses only the lines written between the copy and the truncate that it had not read: logrotate discarded them', async () => {
    const dir = tempDir('ct-loss');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    appendLines(log, 10, 5); // unread, copied
    copyFileSync(log, `${log}.1`);
    appendLines(log, 15, 5); // unread, after the copy: the truncate throws them away, in no file any more
    truncateSync(log, 0);
    appendLines(log, 20, 5);
    expect(numbers(await collect(f, 10))).toEqual([...range(10, 5), ...range(20, 5)]);
    expect(numbers(await nothingMore(f))).toEqual([]);
  });
});
