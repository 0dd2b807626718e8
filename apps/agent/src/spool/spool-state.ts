import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readJsonIfExists, writeFileAtomic } from './atomic-file';
import type { CheckpointEntry } from './spool-record';

/** A batch formed and not yet acknowledged: recorded before it is handed out, so it is offered again identically. */
export interface BatchRange {
  id: string;
  first: number;
  last: number;
  count: number;
  /** Acknowledged, but an earlier batch is not yet: kept until the earlier ones are. */
  acked?: boolean;
}

/** The spool's small metadata file, replaced atomically whenever batches, acks or drops change. */
export interface SpoolState<C> {
  version: 1;
  /** Random per spool directory: makes batch ids unique for this agent forever, even if the directory is wiped. */
  generation: string;
  /** Every event with seq <= ackedThrough is acknowledged (or dropped) and may be deleted. */
  ackedThrough: number;
  /** Highest seq ever assigned, so numbers never repeat after every segment is deleted. */
  lastSeq: number;
  /** Events dropped because the spool was full, since the spool was created. */
  dropped: number;
  batches: BatchRange[];
  checkpoints: Record<string, CheckpointEntry<C>>;
}

export const stateFile = (dir: string): string => join(dir, 'spool-state.json');

export async function loadState<C>(dir: string): Promise<SpoolState<C>> {
  const raw = (await readJsonIfExists(stateFile(dir))) as SpoolState<C> | undefined;
  if (raw === undefined) {
    return { version: 1, generation: randomUUID(), ackedThrough: 0, lastSeq: 0, dropped: 0, batches: [], checkpoints: {} };
  }
  if (raw.version !== 1 || typeof raw.generation !== 'string' || !Array.isArray(raw.batches)) {
    throw new Error(`spool state ${stateFile(dir)} has an unknown format; move the spool directory away to start a new one`);
  }
  return { ...raw, checkpoints: raw.checkpoints ?? {} };
}

export function saveState<C>(dir: string, state: SpoolState<C>): Promise<void> {
  return writeFileAtomic(stateFile(dir), `${JSON.stringify(state)}\n`);
}
