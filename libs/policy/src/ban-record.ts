/** A ban of the IP under evaluation, past or present, as the worker loads it (the Ban rows whose target holds the IP). */
export interface BanRecord {
  /** The jail that decided it; null for a manual ban outside any jail. */
  jail: string | null;
  scope: 'fleet' | 'host';
  /** The agent a host-scope ban applies to; null for fleet scope. */
  agentId: string | null;
  /** True when an administrator created it. */
  manual: boolean;
  createdAt: number;
  /** Epoch ms at which it expires; null for permanent. */
  until: number | null;
  /** When it was lifted before its expiry (manual unban, allowlist change); null if not lifted. */
  liftedAt: number | null;
  liftedBy: 'manual' | 'allowlist' | null;
}

/** Where a ban applies. */
export interface BanScope {
  scope: 'fleet' | 'host';
  agentId: string | null;
}

export function isActive(record: BanRecord, now: number): boolean {
  return record.createdAt <= now && (record.liftedAt === null || record.liftedAt > now) && (record.until === null || record.until > now);
}

/** A fleet ban covers every agent; a host ban covers its own agent only. */
export function covers(record: BanRecord, scope: BanScope): boolean {
  return record.scope === 'fleet' || (scope.scope === 'host' && record.agentId === scope.agentId);
}

/** The active ban that already blocks the IP for this jail and scope: one of the jail's own, or a manual one. */
export function activeBan(history: readonly BanRecord[], jail: string, scope: BanScope, now: number): BanRecord | null {
  const active = history.filter((record) => (record.jail === jail || record.manual) && isActive(record, now) && covers(record, scope));
  // Report the one that lasts longest: that is when the IP can next be banned.
  return active.sort((a, b) => (b.until ?? Infinity) - (a.until ?? Infinity))[0] ?? null;
}

/**
 * The increment level: how many automatic bans of this jail the IP received within `lookbackS` before `now`.
 * Bans an administrator lifted by hand do not count: the unban says that ban was a mistake.
 */
export function incrementLevel(history: readonly BanRecord[], jail: string, lookbackS: number, now: number): number {
  const since = now - lookbackS * 1000;
  return history.filter((r) => r.jail === jail && !r.manual && r.liftedBy !== 'manual' && r.createdAt >= since && r.createdAt <= now).length;
}

/**
 * Failures at or before this time were already acted upon: a ban of this jail in this scope consumed them
 * (fail2ban forgets an IP's failures once it bans it), and a manual unban forgave them. Returns -Infinity if none.
 */
export function consumedUntil(history: readonly BanRecord[], jail: string, scope: BanScope, now: number): number {
  let until = -Infinity;
  for (const record of history) {
    if (record.jail === jail && covers(record, scope) && record.createdAt <= now) until = Math.max(until, record.createdAt);
    if (record.liftedBy === 'manual' && record.liftedAt !== null && record.liftedAt <= now) until = Math.max(until, record.liftedAt);
  }
  return until;
}

/** End of the grace period after the latest manual unban (no automatic ban before it), or null if none applies. */
export function graceUntil(history: readonly BanRecord[], graceS: number, now: number): number | null {
  let until: number | null = null;
  for (const record of history) {
    if (record.liftedBy !== 'manual' || record.liftedAt === null || record.liftedAt > now) continue;
    const end = record.liftedAt + graceS * 1000;
    if (end > now && (until === null || end > until)) until = end;
  }
  return until;
}
