import type { SpoolSync } from './segment.writer';

export interface EventSpoolOptions {
  dir: string;
  /** Past this many bytes of segments, the oldest events not in flight are dropped (and counted). Default 100 MiB. */
  maxBytes?: number;
  /** Segment file size; drops and deletions work by whole segments. Default min(4 MiB, maxBytes / 8). */
  segmentBytes?: number;
  sync?: SpoolSync;
  /** Wait this long before writing a group, to gather more appends into one fsync. Default 0. */
  commitDelayMs?: number;
  /** Batches handed out and not yet acknowledged, at most. Default 1. */
  maxInFlight?: number;
  /** Source checkpoints kept (most recent first). Default 64. */
  maxCheckpoints?: number;
}

export interface SpoolBatch<T> {
  /** Unique for this spool forever (generation uuid + first seq), at most 53 characters. */
  id: string;
  first: number;
  last: number;
  events: T[];
}

export interface SpoolStats {
  /** Events stored and not yet acknowledged. */
  events: number;
  bytes: number;
  segments: number;
  batchesInFlight: number;
  dropped: number;
  lastSeq: number;
  ackedThrough: number;
  /** Bytes of torn or damaged records cut off when the spool was opened. */
  truncatedBytes: number;
  lastError: string | null;
}
