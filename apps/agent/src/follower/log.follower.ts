import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import { CursorStore } from './cursor.store';
import type { LinePosition } from './file-identity';
import type { FollowedLine } from './followed-file';
import { PathFollower, type PathStatus } from './path.follower';

export interface LogFollowerOptions {
  /** Paths to follow, e.g. /var/log/asterisk/security. */
  paths: string[];
  /** Where positions are persisted (JSON, replaced atomically). */
  cursorFile: string;
  /** Without a saved cursor, read existing files from their start instead of their end. */
  fromStart?: boolean;
  /** Positions recorded elsewhere (the spool's checkpoints) that may be ahead of the cursor file; the furthest wins. */
  checkpoints?: LinePosition[];
  /** Re-check files this often even when fs.watch says nothing (network filesystems, missed events). Default 250. */
  pollMs?: number;
  /** Bytes per read. Default 256 KiB. */
  chunkBytes?: number;
  /** Longer lines are cut to this many bytes and counted as too long. Default 64 KiB. */
  maxLineBytes?: number;
  /** Close a rotated file once drained and quiet for this long. Default 5000. */
  drainQuietMs?: number;
  /** Rotated files open at once per path (a slow reader may be behind several rotations). Default 16. */
  maxDraining?: number;
  /** The cursor file is rewritten at most this often (commits in between are covered by the spool). Default 1000. */
  cursorFlushMs?: number;
}

/**
 * Follows log files with tail -F semantics and hands out complete lines in chunks, reading only when asked
 * (backpressure). Each line carries the position to `commit` once it is handled; only committed positions are
 * persisted, so a restart resumes after the last handled line. See README.md for the exactly-once rule.
 */
export class LogFollower implements AsyncIterable<FollowedLine[]> {
  private readonly followers: PathFollower[];
  private readonly store: CursorStore;
  private readonly watchers = new Map<string, FSWatcher>();
  private wake: (() => void) | undefined;
  private woken = false;
  private closed = false;
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private nextPath = 0;
  private reading: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: LogFollowerOptions) {
    const limits = {
      chunkBytes: options.chunkBytes ?? 256 * 1024,
      maxLineBytes: options.maxLineBytes ?? 64 * 1024,
      drainQuietMs: options.drainQuietMs ?? 5000,
      maxDraining: options.maxDraining ?? 16,
    };
    this.followers = [...new Set(options.paths)].map((p) => new PathFollower(p, limits));
    this.store = new CursorStore(options.cursorFile);
  }

  /** Loads the cursor, reopens every file where it stopped (rotated tails included) and starts watching. */
  static async open(options: LogFollowerOptions): Promise<LogFollower> {
    const follower = new LogFollower(options);
    const saved = await follower.store.load();
    for (const cp of options.checkpoints ?? []) {
      const entry = saved.get(cp.path) ?? { reading: [], known: [] };
      saved.set(cp.path, { reading: entry.reading, known: [...entry.known, cp] });
    }
    for (const f of follower.followers) await f.start(saved.get(f.path), options.fromStart ?? false);
    follower.dirty = true;
    await follower.flush();
    follower.watchDirectories();
    return follower;
  }

  /** The next chunk of complete lines, waiting for some; an empty array only once closed. Calls are serialized. */
  next(): Promise<FollowedLine[]> {
    const run = this.reading.then(() => this.readNext());
    this.reading = run.catch(() => undefined);
    return run;
  }

  private async readNext(): Promise<FollowedLine[]> {
    while (!this.closed) {
      this.woken = false;
      for (const f of this.followers) await f.poll();
      const lines = await this.readRoundRobin();
      if (lines.length > 0 || this.closed) return lines;
      if (!this.woken) await this.sleep();
    }
    return [];
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FollowedLine[]> {
    for (let lines = await this.next(); lines.length > 0; lines = await this.next()) yield lines;
  }

  /** Marks lines up to these positions as handled; persisted within cursorFlushMs, or by flush()/close(). */
  commit(positions: Iterable<LinePosition>): void {
    for (const p of positions) {
      const f = this.followers.find((x) => x.path === p.path);
      if (f?.commit(p)) this.dirty = true;
    }
    if (this.dirty && !this.flushTimer && !this.closed) {
      this.flushTimer = setTimeout(() => void this.flush().catch((error: Error) => this.noteCursorError(error)), this.options.cursorFlushMs ?? 1000);
    }
  }

  /** Writes the committed positions now. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const snapshot = new Map(this.followers.map((f) => [f.path, f.positions()]));
    const save = this.saving.then(() => this.store.save(snapshot));
    // A failed write leaves the positions to the next flush (and to the spool's checkpoints meanwhile).
    this.saving = save.catch(() => {
      this.dirty = true;
    });
    return save;
  }

  status(): PathStatus[] {
    return this.followers.map((f) => f.status());
  }

  /** Stops reading (a pending next() returns []), persists the cursor and closes every descriptor. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.wake?.();
    await this.reading;
    try {
      await this.flush();
    } finally {
      for (const f of this.followers) await f.close();
    }
  }

  private async readRoundRobin(): Promise<FollowedLine[]> {
    for (let i = 0; i < this.followers.length; i++) {
      const f = this.followers[(this.nextPath + i) % this.followers.length]!;
      const lines = await f.read();
      if (lines.length > 0) {
        this.nextPath = (this.nextPath + i + 1) % this.followers.length;
        return lines;
      }
    }
    return [];
  }

  private sleep(): Promise<void> {
    this.watchDirectories();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs ?? 250);
      this.wake = done;
    });
  }

  private noteCursorError(error: Error): void {
    for (const f of this.followers) f.noteError(`cannot save the cursor ${this.options.cursorFile}: ${error.message}; check free space and permissions`);
  }

  private notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** One inotify watch per directory wakes the reader at once; polling stays as the fallback. */
  private watchDirectories(): void {
    for (const dir of new Set(this.followers.map((f) => dirname(f.path)))) {
      if (this.watchers.has(dir) || this.closed) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.notify());
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // The directory does not exist yet: polling notices it, and the next sleep retries the watch.
      }
    }
  }
}
