import { mkdir, unlink } from 'node:fs/promises';
import { type CheckpointEntry, type SpoolRecord, encodeRecord } from './spool-record';
import { CheckpointBook } from './checkpoint.book';
import { type ReadHint, type Segment, listSegments, liveEvents, readEvents, scanSegment } from './spool-segment';
import type { EventSpoolOptions, SpoolBatch, SpoolStats } from './event-spool.types';
import { SegmentWriter } from './segment.writer';
import { lockSpool } from './spool.lock';
import { type BatchRange, type SpoolState, loadState, saveState } from './spool-state';

export type { EventSpoolOptions, SpoolBatch, SpoolStats } from './event-spool.types';

interface PendingGroup<C> {
  records: Buffer[];
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  checkpoints: [string, CheckpointEntry<C>][];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Durable, bounded, ordered store of events waiting for the server. Appends are group-committed; batches are
 * recorded in the state file before they are handed out, so after a crash the same batch (id and events) comes
 * again until acknowledged. T is the event type, C the type of the source checkpoints stored alongside (README.md).
 */
export class EventSpool<T, C = unknown> {
  private readonly segments: Segment[] = [];
  private readonly writer: SegmentWriter;
  private readonly book = new CheckpointBook<C>();
  private pending: PendingGroup<C>;
  private flushScheduled = false;
  private queue: Promise<unknown> = Promise.resolve();
  private nextSeq = 1;
  private durableSeq = 0;
  private offered = 0;
  private hint: ReadHint | undefined;
  private truncatedBytes = 0;
  private lastError: string | null = null;
  private readonly maxBytes: number;
  private readonly durableListeners = new Set<() => void>();

  private constructor(
    private readonly options: EventSpoolOptions,
    private state: SpoolState<C>,
    private readonly unlock: () => Promise<void>,
  ) {
    this.maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
    const segmentBytes = options.segmentBytes ?? Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(this.maxBytes / 8)));
    this.writer = new SegmentWriter(options.dir, this.segments, { segmentBytes, sync: options.sync ?? 'fdatasync' });
    this.pending = this.newGroup();
  }

  /** Opens (or creates) the spool: cuts torn records off, forgets acknowledged segments, restores in-flight batches. */
  static async open<T, C = unknown>(options: EventSpoolOptions): Promise<EventSpool<T, C>> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const unlock = await lockSpool(options.dir);
    try {
      const spool = new EventSpool<T, C>(options, await loadState<C>(options.dir), unlock);
      await spool.load();
      return spool;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  /**
   * Appends events (and, optionally, the source positions they come from) and resolves once they are durable.
   * Never blocks on the server: past maxBytes the oldest events are dropped instead.
   */
  append(events: readonly T[], checkpoints?: Record<string, C>): Promise<void> {
    const hasCheckpoints = checkpoints !== undefined && Object.keys(checkpoints).length > 0;
    if (events.length === 0 && !hasCheckpoints) return Promise.resolve();
    const record: SpoolRecord<T, C> = { s: this.nextSeq, e: [...events] };
    if (hasCheckpoints) {
      record.c = {};
      for (const [key, v] of Object.entries(checkpoints)) record.c[key] = this.book.tag(v);
    }
    this.nextSeq += events.length;
    const group = this.pending;
    const encoded = encodeRecord(record);
    group.records.push(encoded);
    group.bytes += encoded.length;
    if (events.length > 0) {
      group.firstSeq = Math.min(group.firstSeq, record.s);
      group.lastSeq = this.nextSeq - 1;
    }
    group.checkpoints.push(...Object.entries(record.c ?? {}));
    const done = new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return done;
  }

  /** The newest durable checkpoint per key (for the follower to resume from after a crash). */
  checkpoints(): Map<string, C> {
    return this.book.values();
  }

  /**
   * The next batch to send: an in-flight batch not yet offered since open()/rewind(), else a new one of at most
   * maxEvents events and about maxBytes bytes, or null when nothing is durable yet or the in-flight window is full.
   */
  nextBatch(maxEvents: number, maxBytes: number): Promise<SpoolBatch<T> | null> {
    return this.exclusive(async () => {
      while (this.state.batches[this.offered]?.acked) this.offered++;
      const known = this.state.batches[this.offered];
      if (known) {
        this.offered++;
        return this.reread(known);
      }
      if (this.state.batches.length >= (this.options.maxInFlight ?? 1)) return null;
      const fromSeq = (this.state.batches.at(-1)?.last ?? this.state.ackedThrough) + 1;
      if (fromSeq > this.durableSeq) return null;
      const read = await readEvents<T>(this.segments, { fromSeq, toSeq: this.durableSeq, maxEvents, maxBytes }, this.hint);
      const first = read.events[0];
      const last = read.events.at(-1);
      if (!first || !last) return null;
      this.hint = read.hint;
      const batch = { id: `${this.state.generation}-${first.seq}`, first: first.seq, last: last.seq, count: read.events.length };
      this.state.batches.push(batch);
      this.state.lastSeq = this.nextSeq - 1;
      await saveState(this.options.dir, this.state);
      this.offered++;
      return { id: batch.id, first: batch.first, last: batch.last, events: read.events.map((e) => e.event) };
    });
  }

  /**
   * Resolves true as soon as durable events wait for a batch (at once if some already do), false after timeoutMs:
   * lets the sender sleep instead of polling nextBatch.
   */
  waitForEvents(timeoutMs: number): Promise<boolean> {
    const waiting = (): boolean => this.durableSeq > (this.state.batches.at(-1)?.last ?? this.state.ackedThrough);
    if (waiting()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.durableListeners.delete(listener);
        resolve(value);
      };
      const listener = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.durableListeners.add(listener);
    });
  }

  /** After a reconnect: offer every unacknowledged batch again, oldest first. */
  rewind(): void {
    this.offered = 0;
  }

  /**
   * The server stored this batch: once every earlier batch is acknowledged too, their events leave the spool.
   * False for an unknown (already acknowledged) id, which a re-sent batch's second ack is.
   */
  ack(batchId: string): Promise<boolean> {
    return this.exclusive(async () => {
      const batch = this.state.batches.find((b) => b.id === batchId);
      if (!batch || batch.acked) return false;
      batch.acked = true;
      while (this.state.batches[0]?.acked) {
        this.state.ackedThrough = this.state.batches.shift()!.last;
        this.offered = Math.max(0, this.offered - 1);
      }
      await this.deleteSegments((s) => s.lastSeq <= this.state.ackedThrough);
      return true;
    });
  }

  stats(): SpoolStats {
    const live = (s: Segment): number => liveEvents(s, this.state.ackedThrough);
    return {
      events: this.segments.reduce((n, s) => n + live(s), 0),
      bytes: this.segments.reduce((n, s) => n + s.bytes, 0),
      segments: this.segments.length,
      batchesInFlight: this.state.batches.length,
      dropped: this.state.dropped,
      lastSeq: this.nextSeq - 1,
      ackedThrough: this.state.ackedThrough,
      truncatedBytes: this.truncatedBytes,
      lastError: this.lastError,
    };
  }

  /** Writes what is pending, then closes the segment. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.pending.records.length > 0) await this.flushGroup();
      await this.writer.closeActive();
    });
    await this.unlock();
  }

  private async load(): Promise<void> {
    this.book.mergeAll(Object.entries(this.state.checkpoints));
    this.segments.push(...(await listSegments(this.options.dir)));
    for (const segment of this.segments) {
      const scan = await scanSegment<C>(segment);
      this.truncatedBytes += scan.truncatedBytes;
      this.book.mergeAll(scan.checkpoints);
    }
    if (this.truncatedBytes > 0) this.lastError = `cut ${this.truncatedBytes} torn bytes off the spool on open (crash during a write)`;
    const highest = Math.max(this.state.lastSeq, this.state.ackedThrough, ...this.segments.map((s) => s.lastSeq));
    this.nextSeq = highest + 1;
    this.durableSeq = highest;
    this.state.batches = this.state.batches.filter((b) => b.last > this.state.ackedThrough);
    await this.deleteSegments((s) => s.lastSeq <= this.state.ackedThrough && s !== this.segments.at(-1));
    const newest = this.segments.at(-1);
    if (newest) await this.writer.resume(newest);
  }

  private newGroup(): PendingGroup<C> {
    return { records: [], bytes: 0, firstSeq: Number.MAX_SAFE_INTEGER, lastSeq: 0, checkpoints: [], waiters: [] };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const delay = this.options.commitDelayMs ?? 0;
    void this.exclusive(async () => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      await this.flushGroup();
    }).catch(() => undefined);
  }

  /** Group commit: everything appended since the last write goes out in one write and one fsync. */
  private async flushGroup(): Promise<void> {
    this.flushScheduled = false;
    const group = this.pending;
    this.pending = this.newGroup();
    if (group.records.length === 0) return;
    const firstSeq = group.firstSeq === Number.MAX_SAFE_INTEGER ? this.nextSeq : group.firstSeq;
    try {
      await this.writer.write(group.records, group.bytes, firstSeq, group.lastSeq);
    } catch (error) {
      this.lastError = `spool write failed: ${(error as Error).message}; check free space in ${this.options.dir}`;
      for (const w of group.waiters) w.reject(error);
      return;
    }
    if (group.lastSeq > this.durableSeq) this.durableSeq = group.lastSeq;
    this.book.mergeAll(group.checkpoints);
    for (const w of group.waiters) w.resolve();
    if (group.lastSeq > 0) for (const listener of [...this.durableListeners]) listener();
    await this.enforceBound().catch((error: Error) => (this.lastError = `spool drop failed: ${error.message}`));
  }

  /** Over maxBytes: drop whole segments, oldest first, skipping those holding in-flight batches. */
  private async enforceBound(): Promise<void> {
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    const from = this.state.batches[0]?.first ?? Infinity;
    const to = this.state.batches.at(-1)?.last ?? -Infinity;
    const inFlight = (s: Segment): boolean => s.firstSeq <= to && s.lastSeq >= from;
    const victims: Segment[] = [];
    for (const s of this.segments) {
      if (total <= this.maxBytes) break;
      if (inFlight(s) || this.writer.isActive(s)) continue;
      victims.push(s);
      total -= s.bytes;
    }
    if (victims.length === 0) return;
    for (const s of victims) this.state.dropped += liveEvents(s, this.state.ackedThrough);
    await this.deleteSegments((s) => victims.includes(s));
  }

  /**
   * Removes segments, after saving the state (with their checkpoints, the drop counter and the last seq). They leave
   * the in-memory list at once, so stats() never counts an event both as stored and as dropped.
   */
  private async deleteSegments(which: (s: Segment) => boolean): Promise<void> {
    const doomed = this.segments.filter(which);
    for (const s of doomed) this.segments.splice(this.segments.indexOf(s), 1);
    if (doomed.some((s) => s.path === this.hint?.path)) this.hint = undefined;
    this.state.lastSeq = this.nextSeq - 1;
    this.state.checkpoints = this.book.prune(this.options.maxCheckpoints ?? 64);
    await saveState(this.options.dir, this.state);
    for (const s of doomed) {
      if (this.writer.isActive(s)) await this.writer.closeActive();
      await unlink(s.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }

  private async reread(batch: BatchRange): Promise<SpoolBatch<T>> {
    const range = { fromSeq: batch.first, toSeq: batch.last, maxEvents: batch.count, maxBytes: Number.MAX_SAFE_INTEGER };
    const { events } = await readEvents<T>(this.segments, range, undefined);
    if (events.length !== batch.count) this.lastError = `batch ${batch.id} re-read ${events.length} of ${batch.count} events: spool damaged`;
    return { id: batch.id, first: batch.first, last: batch.last, events: events.map((e) => e.event) };
  }

  private exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
