import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { tempDir } from './follower.helpers';
import { every, LogWriter } from './log.writer';
import { type LineEvent, type PipelineConfig, startPipeline } from './pipeline';

/** The server's de-duplication by batch id; a repeated id must carry the very same events. */
function deduplicate(batches: { id: string; events: LineEvent[] }[]): LineEvent[] {
  const byId = new Map<string, LineEvent[]>();
  for (const b of batches) {
    const seen = byId.get(b.id);
    if (seen) expect(b.events, `batch ${b.id} re-sent with other events`).toEqual(seen);
    else byId.set(b.id, b.events);
  }
  return [...byId.values()].flat();
}

/**
 * Every line 0..total-1 exactly once, and in order within each file (inode). `discardable` lines (written between
 * logrotate's copy and its truncate) come at most once: delivered if read before the truncate, else lost by logrotate.
 */
function expectExactlyOnce(events: LineEvent[], total: number, discardable: readonly number[] = []): void {
  const counts = new Map<number, number>();
  for (const e of events) counts.set(e.n, (counts.get(e.n) ?? 0) + 1);
  const mayLack = new Set(discardable);
  const missing = Array.from({ length: total }, (_, n) => n).filter((n) => !counts.has(n) && !mayLack.has(n));
  const twice = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  const foreign = [...counts.keys()].filter((n) => !(n >= 0 && n < total));
  expect({ missing: missing.slice(0, 20), missingCount: missing.length, twice: twice.slice(0, 20), twiceCount: twice.length, foreign }).toEqual({
    missing: [],
    missingCount: 0,
    twice: [],
    twiceCount: 0,
    foreign: [],
  });
  const lastByFile = new Map<string, number>();
  for (const e of events) {
    expect(e.n, `line ${e.n} out of order in inode ${e.ino}`).toBeGreaterThan(lastByFile.get(e.ino) ?? -1);
    lastByFile.set(e.ino, e.n);
  }
}

/** Whether every line that must arrive did (all but the discardable ones). */
function allArrived(events: LineEvent[], total: number, discardable: readonly number[]): boolean {
  const got = new Set(events.map((e) => e.n));
  const mayLack = new Set(discardable);
  return Array.from({ length: total }, (_, n) => n).every((n) => got.has(n) || mayLack.has(n));
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

function config(dir: string, ack: boolean): PipelineConfig {
  return { paths: [join(dir, 'security')], cursorFile: join(dir, 'cursor.json'), spoolDir: join(dir, 'spool'), fromStart: true, ack, pollMs: 50, drainQuietMs: 300 };
}

describe('follower + spool under load (real files, several thousand lines/s)', () => {
  it('delivers every line exactly once: missing at start, partial lines, rename, copytruncate, delete, replace, restart', async () => {
    const dir = tempDir('live');
    const delivered: { id: string; events: LineEvent[] }[] = [];
    const errors: (string | null)[] = [];
    let pipeline = await startPipeline(config(dir, true), (b) => void delivered.push(b));
    const writer = new LogWriter(join(dir, 'security')); // created after the follower started: missing at start
    await every(5, (tick) => {
      writer.write(25, tick % 3 === 0); // every third write leaves half a line for the next one
      if (tick === 60) writer.rotateRename(50);
      if (tick === 120) writer.copyTruncate();
      if (tick === 180) writer.deleteRecreate(30);
      if (tick === 240) writer.replace(40);
      if (tick === 300) writer.rotateRename(10);
      return tick < 360;
    });
    // A graceful restart while lines keep coming.
    const restart = (async () => {
      await pipeline.stop();
      errors.push(...pipeline.follower.status().map((st) => st.lastError));
      pipeline = await startPipeline(config(dir, true), (b) => void delivered.push(b));
    })();
    await every(5, (tick) => (writer.write(25), tick < 40));
    await restart;
    writer.close();
    await waitFor(() => delivered.reduce((n, b) => n + b.events.length, 0) >= writer.next, 30_000);
    await pipeline.stop();
    errors.push(...pipeline.follower.status().map((st) => st.lastError));
    expect(writer.next).toBeGreaterThan(9000);
    expect(errors).toEqual([null, null]);
    expectExactlyOnce(deduplicate(delivered), writer.next);
    expect(pipeline.spool.stats()).toMatchObject({ events: 0, dropped: 0 });
  }, 60_000);

  it('loses and duplicates nothing when the agent is killed with SIGKILL again and again', async () => {
    const dir = tempDir('kill');
    const serverFile = join(dir, 'server.jsonl');
    const writer = new LogWriter(join(dir, 'security'));
    // Bundled once with esbuild: a plain JS child starts in ~100 ms, so kills land while lines are being written.
    const runner = join(dir, 'runner.cjs');
    await build({ entryPoints: [join(__dirname, 'pipeline.runner.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: runner, logLevel: 'error' });
    const start = (ack: boolean): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [runner, JSON.stringify({ ...config(dir, ack), serverFile })], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout?.once('data', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`runner exited ${code} before ready`)));
      });
    const received = (): { id: string; events: LineEvent[] }[] =>
      existsSync(serverFile) ? readFileSync(serverFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

    const killAndRestart = async (ack: boolean, whileDown?: () => void): Promise<void> => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited; // never two agents on one spool (the spool's lock refuses it anyway)
      whileDown?.();
      child = await start(ack);
      lastKill = Date.now();
    };
    let child = await start(true);
    let kills = 0;
    let lastKill = Date.now();
    let restarting: Promise<void> | undefined;
    // copytruncate in two halves: logrotate copies while the agent is down, with 100 lines it has not read; the
    // truncate waits until the next agent has started (beside the copy of the original it reads) and run 20 ticks.
    // That agent is not killed until it delivered the lines of 10 ticks after the truncate (or 400 ticks passed):
    // on a loaded machine it could otherwise die before it had read the copy's tail once, let alone twice.
    let now = 0;
    let copyAsked = false;
    let startedAfterCopy: number | undefined;
    let truncatedAt: number | undefined;
    let waitUpTo: number | undefined;
    let resumedAt: number | undefined;
    const copyWhileDown = (): void => {
      writer.write(100);
      writer.copy();
    };
    const deliveredUpTo = (total: number): boolean => allArrived(deduplicate(received()), total, writer.betweenCopyAndTruncate);
    await every(5, (tick) => {
      now = tick;
      writer.write(20, tick % 4 === 1);
      if (tick === 150) writer.rotateRename(40);
      if (truncatedAt === undefined && startedAfterCopy !== undefined && tick >= startedAfterCopy + 20) {
        writer.truncate();
        truncatedAt = tick;
      }
      if (truncatedAt !== undefined && tick === truncatedAt + 10) waitUpTo = writer.next;
      if (waitUpTo !== undefined && resumedAt === undefined && tick % 20 === 0 && (tick >= truncatedAt! + 400 || deliveredUpTo(waitUpTo))) resumedAt = tick;
      if (truncatedAt !== undefined && tick === truncatedAt + 90) writer.rotateRename(0);
      const copyNow = !copyAsked && tick >= 300 && !restarting;
      const killsPaused = copyAsked && resumedAt === undefined;
      if (!restarting && (copyNow || (!killsPaused && Date.now() - lastKill > 250))) {
        kills++;
        copyAsked ||= copyNow;
        // Every other incarnation acknowledges nothing: its batches come again, under the same ids.
        restarting = killAndRestart(kills % 2 === 0, copyNow ? copyWhileDown : undefined).finally(() => (restarting = undefined));
        if (copyNow) void restarting.then(() => (startedAfterCopy = now));
      }
      return tick < Math.max(600, (resumedAt ?? 1400) + 100) && tick < 1500;
    });
    expect(truncatedAt, 'an agent started between the copy and the truncate').toBeDefined();
    writer.close();
    await restarting;
    await killAndRestart(true);
    const discardable = writer.betweenCopyAndTruncate;
    await waitFor(() => allArrived(deduplicate(received()), writer.next, discardable), 30_000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    expectExactlyOnce(deduplicate(received()), writer.next, discardable);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(writer.next).toBeGreaterThan(10_000);
  }, 60_000); // generous: with a load average of 20 on 2 cores, passing runs took up to 19 s
});
