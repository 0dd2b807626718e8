import type { Ban } from './ban';

/** A ban as the admin API returns it (docs/api.md): agent names instead of ids, `ip` for the target. */
export interface BanView {
  id: string;
  ip: string;
  jail: string | null;
  scope: Ban['scope'];
  agent: string | null;
  origin: Ban['origin'];
  reason: string;
  level: number;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftReason: string | null;
  createdBy: string | null;
  liftedBy: string | null;
  active: boolean;
  evidence: unknown;
}

export function toBanView(ban: Ban, agentNames: ReadonlyMap<number, string>, now = Date.now()): BanView {
  return {
    id: ban.id,
    ip: ban.target,
    jail: ban.jail,
    scope: ban.scope,
    agent: ban.agentId === null ? null : (agentNames.get(ban.agentId) ?? String(ban.agentId)),
    origin: ban.origin,
    reason: ban.reason,
    level: ban.level,
    createdAt: ban.createdAt.toISOString(),
    expiresAt: ban.expiresAt?.toISOString() ?? null,
    liftedAt: ban.liftedAt?.toISOString() ?? null,
    liftReason: ban.liftReason,
    createdBy: ban.createdBy,
    liftedBy: ban.liftedBy,
    active: ban.liftedAt === null && (ban.expiresAt === null || ban.expiresAt.getTime() > now),
    evidence: ban.evidence,
  };
}
