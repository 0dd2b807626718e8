import { Injectable } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import { PgPool } from '../database/pg-pool';
import { PrismaService } from '../database/prisma.service';
import type { ActiveBanRow } from '../fleet/ban-change.repository';
import { Prisma } from '../generated/prisma/client';
import { BAN_CHANGE_LOCK, type Ban, type BanChange, type LiftReason, type NewBan } from './ban';

export interface BanFilter {
  state: 'active' | 'lifted' | 'all';
  jail?: string;
  agentId?: number;
  ip?: string;
}

interface BanRow {
  /** A bigint through Prisma, its text through plain pg (which leaves int8 as text). */
  id: bigint | string;
  target: string;
  jail: string | null;
  scope: Ban['scope'];
  agent_id: number | null;
  origin: Ban['origin'];
  reason: string;
  level: number;
  created_at: Date;
  expires_at: Date | null;
  lifted_at: Date | null;
  lift_reason: string | null;
  created_by: string | null;
  lifted_by: string | null;
  evidence: unknown;
}

interface ChangeRow {
  seq: bigint;
  ban_id: bigint;
  op: BanChange['op'];
  target: string;
  agent_id: number | null;
  expires_at: Date | null;
}

const toBan = (row: BanRow): Ban => ({
  id: String(row.id),
  target: normalizeCidr(row.target, { strict: false }) ?? row.target,
  jail: row.jail,
  scope: row.scope,
  agentId: row.agent_id,
  origin: row.origin,
  reason: row.reason,
  level: row.level,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  liftedAt: row.lifted_at,
  liftReason: row.lift_reason,
  createdBy: row.created_by,
  liftedBy: row.lifted_by,
  evidence: row.evidence,
});

const toChange = (row: ChangeRow): BanChange => ({
  seq: Number(row.seq),
  banId: String(row.ban_id),
  op: row.op,
  target: normalizeCidr(row.target, { strict: false }) ?? row.target,
  agentId: row.agent_id,
  expiresAt: row.expires_at,
});

const BAN_COLUMN_LIST = 'id, target::text AS target, jail, scope, agent_id, origin, reason, level, created_at, expires_at, lifted_at, lift_reason, created_by, lifted_by, evidence';
const BAN_COLUMNS = Prisma.raw(BAN_COLUMN_LIST);
const CHANGE_COLUMNS = Prisma.raw('seq, ban_id, op, target::text AS target, agent_id, expires_at');

/**
 * The second statement of `createMany`, run once the first has taken BAN_CHANGE_LOCK (so its snapshot sees every
 * change committed before: `prev_seq` is the last seq before this transaction's, and `active` what is in force on the
 * targets). Inserts the bans an active one does not already cover and their `add` changes, and returns one row per
 * ban created, each with `prev_seq`, and the first with `active` (the other bans in force on the created targets,
 * which this statement's snapshot shows, and the created ones, which it does not). Only the first: in every row, a
 * flood's job of a few hundred bans would carry, and parse, that list a few hundred times.
 */
const CREATE_BANS = `
WITH created AS (
  INSERT INTO bans (target, jail, scope, agent_id, origin, reason, level, expires_at, created_by, evidence)
  SELECT r.target, r.jail, r.scope, r.agent_id, r.origin, r.reason, r.level, r.expires_at, r.created_by, r.evidence
  FROM jsonb_to_recordset($1::jsonb) AS r(target inet, jail text, scope "BanScope", agent_id int, origin "BanOrigin", reason text,
                                          level int, expires_at timestamptz, created_by text, evidence jsonb)
  ON CONFLICT (target, COALESCE(agent_id, 0)) WHERE lifted_at IS NULL DO NOTHING
  RETURNING ${BAN_COLUMN_LIST}
), change AS (
  INSERT INTO ban_changes (ban_id, op, target, agent_id, expires_at)
  SELECT id, 'add'::"BanChangeOp", target::inet, agent_id, expires_at FROM created ORDER BY id
  RETURNING seq, ban_id
), in_force AS (
  SELECT abbrev(target) AS target, agent_id, expires_at, jail, origin::text AS origin FROM bans
  WHERE target IN (SELECT target::inet FROM created) AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
  UNION ALL
  SELECT abbrev(target::inet), agent_id, expires_at, jail, origin::text FROM created WHERE expires_at IS NULL OR expires_at > now()
)
SELECT created.*, change.seq,
  (SELECT COALESCE(MAX(seq), 0) FROM ban_changes)::text AS prev_seq,
  CASE WHEN row_number() OVER (ORDER BY change.seq) = 1 THEN
    (SELECT COALESCE(json_agg(json_build_object('target', target, 'agent_id', agent_id, 'expires_at', (extract(epoch FROM expires_at) * 1000)::float8,
                                                'jail', jail, 'origin', origin)), '[]') FROM in_force)
  END AS active
FROM created JOIN change ON change.ban_id = created.id
ORDER BY change.seq`;

interface CreatedRow extends BanRow {
  seq: string;
  prev_seq: string;
  /** In the first row only. */
  active: Array<{ target: string; agent_id: number | null; expires_at: number | null; jail: string | null; origin: string }> | null;
}

/** What `createMany` committed: the bans with their changes, and the page of the change log they make. */
export interface CreatedBans {
  created: Array<{ ban: Ban; change: BanChange }>;
  /** The last seq before the created changes: every seq after it up to the last created is one of them. */
  prevSeq: number;
  /** The bans in force on the created targets once committed, for every agent (created ones included). */
  active: ActiveBanRow[];
}

/** Writes bans and their changes; every write takes BAN_CHANGE_LOCK so the change log's order is commit order. */
@Injectable()
export class BanRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  /**
   * Creates the ban and its `add` change, unless an active ban already covers the same target and scope
   * (then returns null): an evaluation that runs twice never creates two bans.
   */
  async create(ban: NewBan): Promise<{ ban: Ban; change: BanChange } | null> {
    return (await this.createMany([ban])).created[0] ?? null;
  }

  /**
   * `create` for many bans in one transaction (an evaluate job decides hundreds in a flood): those an active ban
   * already covers are skipped. Returns the bans created with their changes, in change order, and the page of the log
   * they make. On the way from a decision to every agent: three round trips on plain pg and one commit (through
   * Prisma's interactive transaction it was five, ~5 ms of the path).
   */
  async createMany(bans: readonly NewBan[]): Promise<CreatedBans> {
    if (bans.length === 0) return { created: [], prevSeq: 0, active: [] };
    const input = JSON.stringify(bans.map((b) => ({ ...b, agent_id: b.agentId, expires_at: b.expiresAt, created_by: b.createdBy, evidence: b.evidence ?? null })));
    const client = await this.pg.pool.connect();
    let created: CreatedRow[];
    try {
      // One round trip for both (a simple query without parameters); the insert then gets a snapshot taken under the lock.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${BAN_CHANGE_LOCK})`);
      created = (await client.query<CreatedRow>({ name: 'fleetban-create-bans', text: CREATE_BANS, values: [input] })).rows;
      await client.query('COMMIT');
    } catch (error) {
      // A client whose rollback fails too (connection lost) is dropped from the pool, not reused.
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(!rolledBack);
      throw error;
    }
    client.release();
    return {
      created: created.map((row) => ({ ban: toBan(row), change: toChange({ seq: BigInt(row.seq), ban_id: BigInt(row.id), op: 'add', target: row.target, agent_id: row.agent_id, expires_at: row.expires_at }) })),
      prevSeq: Number(created[0]?.prev_seq ?? 0),
      active: (created[0]?.active ?? []).map((ban) => ({ target: ban.target, agentId: ban.agent_id, expiresAt: ban.expires_at === null ? null : new Date(ban.expires_at), jail: ban.jail, origin: ban.origin })),
    };
  }

  /** Lifts the given active bans and writes their `remove` changes; bans already lifted are skipped. */
  async lift(ids: string[], reason: LiftReason, by: string | null): Promise<Array<{ ban: Ban; change: BanChange }>> {
    if (ids.length === 0) return [];
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BAN_CHANGE_LOCK})`;
      const lifted = await tx.$queryRaw<BanRow[]>`
        UPDATE bans SET lifted_at = now(), lift_reason = ${reason}, lifted_by = ${by}
        WHERE id = ANY(${ids.map((id) => BigInt(id))}::bigint[]) AND lifted_at IS NULL
        RETURNING ${BAN_COLUMNS}`;
      const result: Array<{ ban: Ban; change: BanChange }> = [];
      for (const row of lifted.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)))) {
        const [change] = await tx.$queryRaw<ChangeRow[]>`
          INSERT INTO ban_changes (ban_id, op, target, agent_id, expires_at)
          VALUES (${row.id}, 'remove', ${row.target}::inet, ${row.agent_id}, ${row.expires_at})
          RETURNING ${CHANGE_COLUMNS}`;
        result.push({ ban: toBan(row), change: toChange(change as ChangeRow) });
      }
      return result;
    });
  }

  /** Active bans whose end has come. */
  async findDue(now: Date, limit: number): Promise<Ban[]> {
    const rows = await this.prisma.$queryRaw<BanRow[]>`
      SELECT ${BAN_COLUMNS} FROM bans
      WHERE lifted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ${now}
      ORDER BY expires_at LIMIT ${limit}`;
    return rows.map(toBan);
  }

  /** Active bans that overlap the given network (contain it or lie inside it). */
  async findActiveOverlapping(target: string): Promise<Ban[]> {
    const rows = await this.prisma.$queryRaw<BanRow[]>`
      SELECT ${BAN_COLUMNS} FROM bans
      WHERE lifted_at IS NULL AND (target >>= ${target}::inet OR target <<= ${target}::inet)
      ORDER BY id`;
    return rows.map(toBan);
  }

  /** Bans, past and present, whose target contains `ip`, newest first: the history the policy weighs. */
  async covering(ip: string, limit = 200): Promise<Ban[]> {
    const rows = await this.prisma.$queryRaw<BanRow[]>`
      SELECT ${BAN_COLUMNS} FROM bans WHERE target >>= ${ip}::inet ORDER BY created_at DESC LIMIT ${limit}`;
    return rows.map(toBan);
  }

  /**
   * `covering` for many IPs in one query, keyed by the IPs as given. Address bans are found through the target
   * index; the networks, few and all manual, by one scan per call rather than one per IP.
   */
  async coveringMany(ips: readonly string[], limit = 200): Promise<Map<string, Ban[]>> {
    // On every evaluation, so on the way from the decisive event to the ban: plain pg (see PgPool).
    const { rows } = await this.pg.pool.query<BanRow & { key: string }>({
      name: 'fleetban-bans-covering-many',
      text: `WITH w AS (SELECT DISTINCT unnest($1::text[]) AS ip)
      SELECT w.ip AS key, ${BAN_COLUMN_LIST} FROM w JOIN bans ON bans.target = w.ip::inet
      UNION ALL
      SELECT w.ip AS key, ${BAN_COLUMN_LIST}
      FROM (SELECT * FROM bans WHERE masklen(target) < CASE family(target) WHEN 4 THEN 32 ELSE 128 END) bans JOIN w ON bans.target >> w.ip::inet`,
      values: [[...ips]],
    });
    const byIp = new Map<string, Ban[]>();
    for (const row of rows.sort((a, b) => b.created_at.getTime() - a.created_at.getTime())) {
      const list = byIp.get(row.key) ?? [];
      if (list.length === 0) byIp.set(row.key, list);
      if (list.length < limit) list.push(toBan(row));
    }
    return byIp;
  }

  async findById(id: string): Promise<Ban | null> {
    const rows = await this.prisma.$queryRaw<BanRow[]>`SELECT ${BAN_COLUMNS} FROM bans WHERE id = ${BigInt(id)}`;
    return rows[0] ? toBan(rows[0]) : null;
  }

  /** A page of bans, newest first, filtered; `ip` keeps those overlapping an address or network. */
  async search(filter: BanFilter, limit: number, beforeId: bigint | null): Promise<Ban[]> {
    const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (filter.state === 'active') where.push(Prisma.sql`lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())`);
    if (filter.state === 'lifted') where.push(Prisma.sql`(lifted_at IS NOT NULL OR expires_at <= now())`);
    if (filter.jail !== undefined) where.push(Prisma.sql`jail = ${filter.jail}`);
    if (filter.agentId !== undefined) where.push(Prisma.sql`(scope = 'fleet' OR agent_id = ${filter.agentId})`);
    if (filter.ip !== undefined) where.push(Prisma.sql`(target >>= ${filter.ip}::inet OR target <<= ${filter.ip}::inet)`);
    if (beforeId !== null) where.push(Prisma.sql`id < ${beforeId}`);
    const rows = await this.prisma.$queryRaw<BanRow[]>`
      SELECT ${BAN_COLUMNS} FROM bans WHERE ${Prisma.join(where, ' AND ')} ORDER BY id DESC LIMIT ${limit}`;
    return rows.map(toBan);
  }

  /** Per jail (null: manual bans outside jails): bans ever placed, and active now. */
  async countsByJail(): Promise<Map<string | null, { total: number; active: number }>> {
    const rows = await this.prisma.$queryRaw<Array<{ jail: string | null; total: bigint; active: bigint }>>`
      SELECT jail, count(*) AS total, count(*) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS active
      FROM bans GROUP BY jail`;
    return new Map(rows.map((row) => [row.jail, { total: Number(row.total), active: Number(row.active) }]));
  }

  async changesOf(banId: string): Promise<Array<{ seq: number; op: BanChange['op']; at: Date }>> {
    const rows = await this.prisma.$queryRaw<Array<{ seq: bigint; op: BanChange['op']; created_at: Date }>>`
      SELECT seq, op, created_at FROM ban_changes WHERE ban_id = ${BigInt(banId)} ORDER BY seq`;
    return rows.map((row) => ({ seq: Number(row.seq), op: row.op, at: row.created_at }));
  }

  /** Every ban ever placed on exactly this target in this jail, newest first: bantime.increment counts them. */
  async history(target: string, jail: string): Promise<Ban[]> {
    const rows = await this.prisma.$queryRaw<BanRow[]>`
      SELECT ${BAN_COLUMNS} FROM bans WHERE target = ${target}::inet AND jail = ${jail} ORDER BY created_at DESC LIMIT 100`;
    return rows.map(toBan);
  }
}
