/** A ban as the server's services see it (not a Prisma payload). Ids are strings: they are bigints in the database. */
export interface Ban {
  id: string;
  /** IP or CIDR, canonical. */
  target: string;
  jail: string | null;
  scope: 'fleet' | 'host';
  /** For host-scoped bans: the only agent that enforces it. */
  agentId: number | null;
  origin: 'automatic' | 'manual' | 'import';
  reason: string;
  level: number;
  createdAt: Date;
  /** Null: permanent. */
  expiresAt: Date | null;
  liftedAt: Date | null;
  liftReason: string | null;
  createdBy: string | null;
  liftedBy: string | null;
  evidence: unknown;
}

/** One entry of the fleet's ordered log of ban changes. */
export interface BanChange {
  seq: number;
  banId: string;
  op: 'add' | 'remove';
  target: string;
  agentId: number | null;
  expiresAt: Date | null;
}

/** What a writer decides; the database adds the id, the times and the lift fields. */
export type NewBan = Pick<Ban, 'target' | 'jail' | 'scope' | 'agentId' | 'origin' | 'reason' | 'level' | 'expiresAt' | 'createdBy' | 'evidence'>;

/** Why a ban ended. */
export type LiftReason = 'expired' | 'manual' | 'allowlist';

/**
 * Advisory lock key every writer of ban_changes takes in its transaction, so that sequence order is commit
 * order: an agent that has seen change n never later misses a change numbered below n.
 */
export const BAN_CHANGE_LOCK = 0x0fb1_ba17;
