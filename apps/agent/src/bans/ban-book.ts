import type { BansDeltaMessage, BansSnapshotMessage, WireBan } from '@fleetban/protocol';

/** What changed in the book, for the enforcer: a full replacement, or additions and removals. */
export type BanUpdate = { kind: 'snapshot'; seq: number; bans: WireBan[] } | { kind: 'delta'; seq: number; add: WireBan[]; remove: string[] };

/** The book as saved on disk between runs. */
export interface SavedBanBook {
  seq: number;
  bans: WireBan[];
}

/**
 * The agent's copy of the fleet's active bans, keyed by address, with the sequence of the last ban change
 * it reflects. Plain state: the enforcer turns updates into nftables batches, the runtime saves it to disk.
 */
export class BanBook {
  private readonly bans = new Map<string, WireBan>();
  private snapshotParts: WireBan[] | null = null;
  seq = 0;

  static restore(saved: SavedBanBook, now: number): BanBook {
    const book = new BanBook();
    book.seq = saved.seq;
    for (const ban of saved.bans) if (isActive(ban, now)) book.bans.set(ban.ip, ban);
    return book;
  }

  /** Collects snapshot parts; returns the update once the last part has arrived. */
  applySnapshot(message: BansSnapshotMessage): BanUpdate | null {
    (this.snapshotParts ??= []).push(...message.bans);
    if (!message.last) return null;
    const bans = this.snapshotParts;
    this.snapshotParts = null;
    this.bans.clear();
    // Older servers could list an address twice (a fleet ban and a host ban on it): keep the one that ends last,
    // as the enforcer does, so that the book saved on disk agrees with the kernel.
    for (const ban of bans) {
      const previous = this.bans.get(ban.ip);
      if (previous === undefined || endsLater(ban, previous)) this.bans.set(ban.ip, ban);
    }
    this.seq = message.seq;
    return { kind: 'snapshot', seq: message.seq, bans: [...this.bans.values()] };
  }

  applyDelta(message: BansDeltaMessage): BanUpdate {
    for (const ip of message.remove) this.bans.delete(ip);
    for (const ban of message.add) this.bans.set(ban.ip, ban);
    this.seq = message.seq;
    return { kind: 'delta', seq: message.seq, add: message.add, remove: message.remove };
  }

  /** Bans still in force at `now`. */
  active(now: number): WireBan[] {
    return [...this.bans.values()].filter((ban) => isActive(ban, now));
  }

  save(now: number): SavedBanBook {
    return { seq: this.seq, bans: this.active(now) };
  }
}

const isActive = (ban: WireBan, now: number): boolean => ban.until === null || ban.until > now;
const endsLater = (a: WireBan, b: WireBan): boolean => b.until !== null && (a.until === null || a.until > b.until);
