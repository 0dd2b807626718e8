import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointEntry, decodeRecords } from './spool-record';

const SEGMENT_NAME = /^segment-(\d{16})\.log$/;

/** One append-only segment file: events firstSeq..lastSeq (lastSeq = firstSeq - 1 when it holds none). */
export interface Segment {
  path: string;
  firstSeq: number;
  lastSeq: number;
  bytes: number;
}

/** Events of a segment not yet acknowledged. */
export const liveEvents = (s: Segment, ackedThrough: number): number => Math.max(0, s.lastSeq - Math.max(s.firstSeq, ackedThrough + 1) + 1);

export const segmentPath = (dir: string, firstSeq: number): string => join(dir, `segment-${String(firstSeq).padStart(16, '0')}.log`);

export async function listSegments(dir: string): Promise<Segment[]> {
  const names = await readdir(dir);
  return names
    .map((name) => SEGMENT_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: join(dir, m[0]), firstSeq: Number(m[1]), lastSeq: Number(m[1]) - 1, bytes: 0 }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

export interface ScanResult<C> {
  /** Bytes cut off the end: a record torn by a crash, or damaged data and everything after it. */
  truncatedBytes: number;
  checkpoints: Map<string, CheckpointEntry<C>>;
}

/**
 * Reads a whole segment on open: sets its lastSeq and size, collects its checkpoints, and truncates a torn or damaged
 * tail so appends continue after the last good record.
 */
export async function scanSegment<C>(segment: Segment): Promise<ScanResult<C>> {
  const handle = await open(segment.path, 'r+');
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buf, 0, size, 0);
    const decoded = decodeRecords<unknown, C>(buf.subarray(0, bytesRead), 0);
    const checkpoints = new Map<string, CheckpointEntry<C>>();
    for (const { record } of decoded.records) {
      if (record.e.length > 0) segment.lastSeq = record.s + record.e.length - 1;
      for (const [key, entry] of Object.entries(record.c ?? {})) mergeCheckpoint(checkpoints, key, entry);
    }
    if (decoded.end < size) {
      await handle.truncate(decoded.end);
      await handle.sync();
    }
    segment.bytes = decoded.end;
    return { truncatedBytes: size - decoded.end, checkpoints };
  } finally {
    await handle.close();
  }
}

export function mergeCheckpoint<C>(into: Map<string, CheckpointEntry<C>>, key: string, entry: CheckpointEntry<C>): void {
  const seen = into.get(key);
  if (!seen || entry.n > seen.n) into.set(key, entry);
}

/** Where a sequential reader stopped, so the next batch does not rescan the segment from its start. */
export interface ReadHint {
  path: string;
  seq: number;
  offset: number;
}

export interface ReadEventsResult<T> {
  events: { seq: number; event: T }[];
  hint: ReadHint | undefined;
}

/**
 * Reads events with fromSeq <= seq <= toSeq from the segments, in order, up to maxEvents and maxBytes (of event
 * JSON; at least one event). Missing sequence numbers (dropped segments) are skipped.
 */
export async function readEvents<T>(
  segments: readonly Segment[],
  range: { fromSeq: number; toSeq: number; maxEvents: number; maxBytes: number },
  hint: ReadHint | undefined,
): Promise<ReadEventsResult<T>> {
  const out: { seq: number; event: T }[] = [];
  let bytes = 0;
  let next = range.fromSeq;
  for (const seg of segments) {
    if (seg.lastSeq < next || seg.firstSeq > range.toSeq) continue;
    const handle = await open(seg.path, 'r');
    try {
      let offset = hint && hint.path === seg.path && hint.seq === next ? hint.offset : 0;
      while (offset < seg.bytes) {
        const buf = Buffer.allocUnsafe(Math.min(seg.bytes - offset, Math.max(256 * 1024, range.maxBytes + 1024)));
        const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
        const decoded = decodeRecords<T, unknown>(buf.subarray(0, bytesRead), offset);
        if (decoded.records.length === 0) throw new Error(`spool segment ${seg.path} is damaged at offset ${offset}`);
        for (const { record, start, end } of decoded.records) {
          const size = (end - start) / Math.max(1, record.e.length);
          for (const [i, event] of record.e.entries()) {
            const seq = record.s + i;
            if (seq < next) continue;
            const full = out.length >= range.maxEvents || (out.length > 0 && bytes + size > range.maxBytes);
            if (seq > range.toSeq || full) return { events: out, hint: { path: seg.path, seq, offset: start } };
            out.push({ seq, event });
            bytes += size;
            next = seq + 1;
          }
        }
        offset = decoded.end;
      }
    } finally {
      await handle.close();
    }
  }
  return { events: out, hint: undefined };
}
