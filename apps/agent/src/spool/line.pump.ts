import { type LinePosition, identityKey } from '../follower/file-identity';
import type { FollowedLine } from '../follower/followed-file';
import type { LogFollower } from '../follower/log.follower';
import type { EventSpool } from './event.spool';

/** Turns one line into its events (none for a line that is not a security event). */
export type LineToEvents<T> = (line: FollowedLine) => readonly T[];

/** Events completed by the end of a chunk (an entry held for continuation lines); none by default. */
export type ChunkEnd<T> = () => readonly T[];

export interface PumpStats {
  lines: number;
  events: number;
  lastError: string | null;
}

/**
 * Moves lines from the follower into the spool: parse a chunk, append its events together with the position of
 * the chunk's last line per file (one record, one fsync), and only then commit those positions to the follower.
 * Reading the next chunk overlaps the previous chunk's fsync. Chunks without events are committed directly:
 * re-reading them after a crash yields no events, so no duplicate can come of it.
 */
export class LinePump<T> {
  private readonly counters: PumpStats = { lines: 0, events: 0, lastError: null };

  constructor(
    private readonly follower: LogFollower,
    private readonly spool: EventSpool<T, LinePosition>,
    private readonly toEvents: LineToEvents<T>,
    private readonly endOfChunk: ChunkEnd<T> = () => [],
  ) {}

  /**
   * Runs until the follower is closed. Rejects if the spool cannot write (disk full, I/O error): nothing past the
   * failed chunk was committed, so restarting the pipeline later reads it again.
   */
  async run(): Promise<void> {
    let previous: Promise<void> = Promise.resolve();
    for await (const lines of this.follower) {
      const stored = this.store(lines);
      stored.catch(() => undefined); // awaited on the next turn; this only keeps Node from calling it unhandled
      await previous;
      previous = stored;
    }
    await previous;
  }

  stats(): PumpStats {
    return { ...this.counters };
  }

  private async store(lines: FollowedLine[]): Promise<void> {
    const events: T[] = [];
    for (const line of lines) {
      try {
        events.push(...this.toEvents(line));
      } catch (error) {
        this.counters.lastError = `line skipped at ${line.position.path}:${line.position.offset}: ${(error as Error).message}`;
      }
    }
    events.push(...this.endOfChunk());
    const last = lastPositions(lines);
    if (events.length > 0) {
      const checkpoints = Object.fromEntries(last.map((p) => [`${p.path}|${identityKey(p)}|${p.fingerprint}`, p]));
      await this.spool.append(events, checkpoints);
    }
    this.follower.commit(last);
    this.counters.lines += lines.length;
    this.counters.events += events.length;
  }
}

function lastPositions(lines: FollowedLine[]): LinePosition[] {
  const byFile = new Map<string, LinePosition>();
  for (const { position } of lines) byFile.set(`${position.path}|${identityKey(position)}|${position.fingerprint}`, position);
  return [...byFile.values()];
}
