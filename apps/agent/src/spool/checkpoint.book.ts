import type { CheckpointEntry } from './spool-record';

/**
 * The newest checkpoint per key, whichever file it was read from (state file or segment records): entries carry a
 * spool-wide counter `n`, and the highest wins.
 */
export class CheckpointBook<C> {
  private readonly entries = new Map<string, CheckpointEntry<C>>();
  private next = 1;

  /** Tags a new value with the next counter. */
  tag(v: C): CheckpointEntry<C> {
    return { n: this.next++, v };
  }

  merge(key: string, entry: CheckpointEntry<C>): void {
    const seen = this.entries.get(key);
    if (!seen || entry.n > seen.n) this.entries.set(key, entry);
    if (entry.n >= this.next) this.next = entry.n + 1;
  }

  mergeAll(entries: Iterable<[string, CheckpointEntry<C>]>): void {
    for (const [key, entry] of entries) this.merge(key, entry);
  }

  values(): Map<string, C> {
    return new Map([...this.entries].map(([k, e]) => [k, e.v]));
  }

  /** Keeps the `max` newest keys (forgetting the others) and returns them for the state file. */
  prune(max: number): Record<string, CheckpointEntry<C>> {
    const newest = [...this.entries].sort((a, b) => b[1].n - a[1].n).slice(0, max);
    this.entries.clear();
    for (const [k, e] of newest) this.entries.set(k, e);
    return Object.fromEntries(newest);
  }
}
