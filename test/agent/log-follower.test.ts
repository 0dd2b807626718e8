import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLines, collect, followerFactory, nothingMore, numbered, numbers, range, tempDir } from './follower.helpers';

const follow = followerFactory();

describe('LogFollower on real files', () => {
  it('starts at the end of an existing file on a fresh install, at its start with fromStart', async () => {
    const dir = tempDir('fresh');
    const log = join(dir, 'security');
    appendLines(log, 0, 5);
    const atEnd = await follow(dir);
    appendLines(log, 5, 3);
    expect(numbers(await collect(atEnd, 3))).toEqual([5, 6, 7]);
    const other = tempDir('fromstart');
    appendLines(join(other, 'security'), 0, 5);
    expect(numbers(await collect(await follow(other, { fromStart: true }), 5))).toEqual(range(0, 5));
  });

  it('waits for a file missing at start and reads it from 0 when it appears', async () => {
    const dir = tempDir('missing');
    const f = await follow(dir);
    expect(f.status()[0]?.files).toEqual([]);
    appendLines(join(dir, 'security'), 0, 4);
    expect(numbers(await collect(f, 4))).toEqual(range(0, 4));
  });

  it('never emits half a line: waits for its newline', async () => {
    const dir = tempDir('partial');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendFileSync(log, 'L0 first\nL1 sec');
    const first = await collect(f, 1);
    expect(first.map((l) => l.text)).toEqual(['L0 first']);
    expect(await nothingMore(f, 200)).toEqual([]);
    appendFileSync(log, 'ond\n');
    // The pending read from nothingMore gets it; read it through a fresh follower after close to check the cursor.
    await f.close();
    const again = await follow(dir);
    expect((await collect(again, 1)).map((l) => l.text)).toEqual(['L1 second']);
  });

  it('drains the renamed file (still written until logger reload) before reading the new one', async () => {
    const dir = tempDir('rename');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    renameSync(log, `${log}.1`);
    appendLines(`${log}.1`, 10, 5); // Asterisk has not reopened yet
    appendLines(log, 15, 5);
    const got = numbers(await collect(f, 10));
    expect(got).toEqual(range(10, 10));
    expect(f.status()[0]?.rotations).toBe(1);
  });

  it('reads the unread tail of a copytruncate from the copy, then the truncated file from 0', async () => {
    const dir = tempDir('copytruncate');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    appendLines(log, 10, 5); // not read yet when logrotate copies and truncates
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendLines(log, 15, 5);
    expect(numbers(await collect(f, 10)).sort((a, b) => a - b)).toEqual(range(10, 10));
    expect(f.status()[0]?.truncations).toBe(1);
  });

  it('follows deletion and re-creation, and a file replaced by another one', async () => {
    const dir = tempDir('recreate');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 3);
    expect(numbers(await collect(f, 3))).toEqual(range(0, 3));
    rmSync(log);
    appendLines(log, 3, 3);
    expect(numbers(await collect(f, 3))).toEqual(range(3, 3));
    writeFileSync(join(dir, 'other'), numbered(6, 4));
    renameSync(join(dir, 'other'), log);
    expect(numbers(await collect(f, 4))).toEqual(range(6, 4));
  });

  it('restarts at 0 when the same inode is rewritten with another first line', async () => {
    const dir = tempDir('inplace');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 3);
    expect(numbers(await collect(f, 3))).toEqual(range(0, 3));
    writeFileSync(log, numbered(100, 6)); // same inode (O_TRUNC), longer than before
    expect(numbers(await collect(f, 6))).toEqual(range(100, 6));
  });

  it('resumes after a restart at the last committed line, including a rotated tail written while stopped', async () => {
    const dir = tempDir('restart');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    const lines = await collect(f, 10, 5000, false);
    f.commit([lines[5]!.position]);
    await f.close();
    appendLines(log, 10, 2);
    renameSync(log, `${log}-20261129`);
    appendLines(`${log}-20261129`, 12, 2);
    appendLines(log, 14, 3);
    const g = await follow(dir);
    expect(numbers(await collect(g, 11))).toEqual(range(6, 11));
    expect(await nothingMore(g)).toEqual([]);
  });

  it('takes a checkpoint ahead of the cursor file (the spool saw lines the cursor had not flushed)', async () => {
    const dir = tempDir('checkpoint');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir, { cursorFlushMs: 60_000 });
    appendLines(log, 0, 10);
    const lines = await collect(f, 10, 5000, false);
    const checkpoint = lines[7]!.position;
    // Simulates kill -9: the cursor file still holds the position from open (offset 0).
    const g = await follow(dir, { checkpoints: [checkpoint] });
    expect(numbers(await collect(g, 2))).toEqual([8, 9]);
  });

  it('cuts a huge line to maxLineBytes and counts it', async () => {
    const dir = tempDir('huge');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir, { maxLineBytes: 1024, chunkBytes: 4096 });
    appendFileSync(log, `L0 ${'y'.repeat(1024 * 1024)}\nL1 ok\n`);
    const got = await collect(f, 2);
    expect(got.map((l) => [l.text.length, l.truncated])).toEqual([[1024, true], [5, false]]);
    expect(f.status()[0]?.linesTooLong).toBe(1);
  });
});

describe('LogFollower restarts across a copytruncate', () => {
  it('reads the unread tail from the copy when the truncation happened while it was stopped', async () => {
    const dir = tempDir('ct-restart');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    await f.close();
    appendLines(log, 10, 5);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendLines(log, 15, 5);
    const g = await follow(dir);
    expect(numbers(await collect(g, 10)).sort((a, b) => a - b)).toEqual(range(10, 10));
    expect(await nothingMore(g)).toEqual([]);
  });
});

describe('LogFollower with several files and missing directories', () => {
  it('waits for a directory that does not exist yet, and follows two files in one stream', async () => {
    const root = tempDir('dirs');
    const dir = join(root, 'asterisk');
    const f = await follow(root, { paths: [join(dir, 'security'), join(dir, 'messages')] });
    mkdirSync(dir);
    appendLines(join(dir, 'security'), 0, 300);
    appendLines(join(dir, 'messages'), 1000, 300);
    const got = await collect(f, 600);
    const byPath = (suffix: string) => numbers(got.filter((l) => l.position.path.endsWith(suffix)));
    expect(byPath('security')).toEqual(range(0, 300));
    expect(byPath('messages')).toEqual(range(1000, 300));
    expect(f.status().map((s) => [s.path.split('/').pop(), s.linesRead])).toEqual([
      ['security', 300],
      ['messages', 300],
    ]);
  });
});

describe('LogFollower restarts after several rotations while stopped', () => {
  it('reads files rotated twice while it was stopped (rename, then copytruncate), each line once', async () => {
    const dir = tempDir('twice');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    await f.close();
    appendLines(log, 10, 5);
    renameSync(log, `${log}.1`); // logrotate create
    appendLines(log, 15, 5);
    renameSync(`${log}.1`, `${log}.2`); // next rotation: copytruncate this time
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendLines(log, 20, 5);
    const g = await follow(dir);
    expect(numbers(await collect(g, 15)).sort((a, b) => a - b)).toEqual(range(10, 15));
    expect(await nothingMore(g)).toEqual([]);
  });

  it('does not read again a rotated file it had finished before the restart', async () => {
    const dir = tempDir('finished');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir, { drainQuietMs: 0 });
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    renameSync(log, `${log}.1`);
    appendLines(log, 10, 5);
    expect(numbers(await collect(f, 5))).toEqual(range(10, 5));
    await new Promise((r) => setTimeout(r, 200)); // the rotated file is retired
    expect(f.status()[0]?.files).toHaveLength(1);
    await f.close();
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    appendLines(log, 15, 5);
    const g = await follow(dir);
    expect(numbers(await collect(g, 5))).toEqual(range(15, 5));
    expect(await nothingMore(g)).toEqual([]);
  });
});

describe('LogFollower when a copytruncate is refilled past the old offset before it looks', () => {
  it('reads the old tail from the copy and the new content from 0, not from the old offset', async () => {
    const dir = tempDir('refill');
    const log = join(dir, 'security');
    writeFileSync(log, '');
    const f = await follow(dir);
    appendLines(log, 0, 10);
    expect(numbers(await collect(f, 10))).toEqual(range(0, 10));
    appendLines(log, 10, 5);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendLines(log, 15, 40); // far more bytes than the old offset
    expect(numbers(await collect(f, 45)).sort((a, b) => a - b)).toEqual(range(10, 45));
    expect(await nothingMore(f)).toEqual([]);
  });
});

describe('LogFollower on a fresh install', () => {
  it('persists the end position at once, so lines written before a crash are not skipped by a new "end"', async () => {
    const dir = tempDir('fresh-crash');
    const log = join(dir, 'security');
    appendLines(log, 0, 5);
    await follow(dir); // starts at the end, then "crashes" (never closed, nothing committed)
    appendLines(log, 5, 3);
    const again = await follow(dir);
    expect(numbers(await collect(again, 3))).toEqual([5, 6, 7]);
  });
});
