import type { BanRecord } from '@fleetban/policy';
import type { Ban } from '../bans/ban';

/** A stored ban as the policy weighs it. An expiry is not a lift: the ban ran its course. */
export function toBanRecord(ban: Ban): BanRecord {
  const lifted = ban.liftedAt !== null && ban.liftReason !== 'expired';
  return {
    jail: ban.jail,
    scope: ban.scope,
    agentId: ban.agentId === null ? null : String(ban.agentId),
    manual: ban.origin === 'manual',
    createdAt: ban.createdAt.getTime(),
    until: ban.expiresAt?.getTime() ?? null,
    liftedAt: lifted ? (ban.liftedAt as Date).getTime() : null,
    liftedBy: lifted ? (ban.liftReason === 'allowlist' ? 'allowlist' : 'manual') : null,
  };
}
