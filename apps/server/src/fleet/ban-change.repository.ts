import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** One entry of the ban change log, joined with what the wire needs from its ban. */
export interface BanChangeRow {
  seq: number;
  op: 'add' | 'remove';
  /** Address or network as PostgreSQL prints it (abbrev: no /32 on a single address). */
  target: string;
  /** Set for a host-scoped ban: only this agent enforces it. */
  agentId: number | null;
  expiresAt: Date | null;
  jail: string | null;
  origin: string;
}

/** An active ban as the wire needs it, with whom it reaches (null: every agent). */
export interface ActiveBanRow {
  target: string;
  agentId: number | null;
  expiresAt: Date | null;
  jail: string | null;
  origin: string;
}

interface RawChange {
  seq: bigint;
  op: 'add' | 'remove';
  target: string;
  agent_id: number | null;
  expires_at: Date | null;
  jail: string | null;
  origin: string;
}

interface RawActive {
  target: string;
  agent_id: number | null;
  expires_at: Date | null;
  jail: string | null;
  origin: string;
}

interface RawSnapshot {
  seq: bigint;
  target: string | null;
  agent_id: number | null;
  expires_at: Date | null;
  jail: string | null;
  origin: string | null;
}

@Injectable()
export class BanChangeRepository {
  constructor(private readonly prisma: PrismaService) {}

  async latestSeq(): Promise<number> {
    const rows = await this.prisma.$queryRawUnsafe<{ seq: bigint }[]>('SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM ban_changes');
    return Number(rows[0]?.seq ?? 0n);
  }

  /** Changes after `seq`, in order (writers serialize on an advisory lock, so this order is commit order). */
  async changesAfter(seq: number, limit: number): Promise<BanChangeRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<RawChange[]>(
      `SELECT c.seq, c.op::text AS op, abbrev(c.target) AS target, c.agent_id, c.expires_at, b.jail, b.origin::text AS origin
       FROM ban_changes c JOIN bans b ON b.id = c.ban_id
       WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
      BigInt(seq),
      limit,
    );
    return rows.map((r) => ({ seq: Number(r.seq), op: r.op, target: r.target, agentId: r.agent_id, expiresAt: r.expires_at, jail: r.jail, origin: r.origin }));
  }

  /**
   * The bans an agent must enforce now, and the log position they reflect, read in one statement
   * (one snapshot of the database, so no change falls between the two).
   */
  async activeBansFor(agentId: number): Promise<{ seq: number; bans: ActiveBanRow[] }> {
    const rows = await this.prisma.$queryRawUnsafe<RawSnapshot[]>(
      `WITH log AS (SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM ban_changes)
       SELECT log.seq, abbrev(b.target) AS target, b.agent_id, b.expires_at, b.jail, b.origin::text AS origin
       FROM log LEFT JOIN bans b
         ON b.lifted_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > now()) AND (b.agent_id IS NULL OR b.agent_id = $1)
       ORDER BY b.id`,
      agentId,
    );
    const seq = Number(rows[0]?.seq ?? 0n);
    const bans = rows.flatMap((r) => (r.target === null ? [] : [{ target: r.target, agentId: r.agent_id, expiresAt: r.expires_at, jail: r.jail, origin: r.origin ?? 'manual' }]));
    return { seq, bans };
  }

  /**
   * The active bans on exactly these targets, for every agent: after changes to a target, what each agent must
   * enforce there follows from all of them, not from the last change alone (a fleet ban and a host ban may share it).
   */
  async activeOn(targets: readonly string[]): Promise<ActiveBanRow[]> {
    if (targets.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<RawActive[]>(
      `SELECT abbrev(target) AS target, agent_id, expires_at, jail, origin::text AS origin FROM bans
       WHERE target = ANY($1::inet[]) AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [...new Set(targets)],
    );
    return rows.map((r) => ({ target: r.target, agentId: r.agent_id, expiresAt: r.expires_at, jail: r.jail, origin: r.origin }));
  }
}
