import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { BanFeedService } from '../fleet/ban-feed.service';
import type { PublishedBanChange } from '../fleet/ban-subscriber';
import { LOGGER } from '../logging/logger';
import type { Ban, BanChange, LiftReason, NewBan } from './ban';
import { BanRepository } from './ban.repository';

/** Places and lifts bans, and tells the fleet: every path (engine, admin, allowlist, expiry) goes through here. */
@Injectable()
export class BansService {
  private readonly log: Logger;

  constructor(
    private readonly bans: BanRepository,
    private readonly feed: BanFeedService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'bans' });
  }

  /** Creates the ban unless an active one already covers the target in that scope; returns it, or null. */
  async place(ban: NewBan): Promise<Ban | null> {
    return (await this.placeMany([ban]))[0] ?? null;
  }

  /** `place` for many bans, in one transaction and one announcement; returns those created. */
  async placeMany(bans: readonly NewBan[]): Promise<Ban[]> {
    const { created, prevSeq, active } = await this.bans.createMany(bans);
    for (const { ban, change } of created) this.log.info({ banId: ban.id, target: ban.target, jail: ban.jail, scope: ban.scope, agentId: ban.agentId, origin: ban.origin, until: ban.expiresAt, seq: change.seq }, `banned ${ban.target}: ${ban.reason}`);
    // The page as the log would give it, so no instance reads the log again to deliver it.
    const rows = created.map(({ ban, change }) => ({ seq: change.seq, op: change.op, target: change.target, agentId: change.agentId, expiresAt: change.expiresAt, jail: ban.jail, origin: ban.origin }));
    await this.announce(created.map((c) => c.change), { prevSeq, rows, active });
    return created.map((c) => c.ban);
  }

  async lift(ids: string[], reason: LiftReason, by: string | null): Promise<Ban[]> {
    const lifted = await this.bans.lift(ids, reason, by);
    for (const { ban, change } of lifted) this.log.info({ banId: ban.id, target: ban.target, reason, by, seq: change.seq }, `lifted ban of ${ban.target} (${reason})`);
    await this.announce(lifted.map((l) => l.change));
    return lifted.map((l) => l.ban);
  }

  /**
   * Lifts the active bans that overlap `cidr` and would reach `agentId` (null: any agent): what an allowlist
   * entry does to existing bans.
   */
  async liftOverlapping(cidr: string, agentId: number | null, reason: LiftReason, by: string | null): Promise<Ban[]> {
    const overlapping = await this.bans.findActiveOverlapping(cidr);
    const reaching = overlapping.filter((ban) => agentId === null || ban.scope === 'fleet' || ban.agentId === agentId);
    return this.lift(reaching.map((ban) => ban.id), reason, by);
  }

  /** Lifts every ban whose time has come; returns how many. */
  async expireDue(now: Date, limit = 1000): Promise<number> {
    const due = await this.bans.findDue(now, limit);
    return (await this.lift(due.map((ban) => ban.id), 'expired', null)).length;
  }

  private async announce(changes: BanChange[], page?: PublishedBanChange['page']): Promise<void> {
    const last = changes.reduce<BanChange | null>((max, change) => (max === null || change.seq > max.seq ? change : max), null);
    // One notification carries them all: subscribers read the log from their cursor, or take the page.
    if (last) await this.feed.publish({ seq: last.seq, page }).catch((error: unknown) => this.log.warn({ err: error }, 'ban change committed but not announced; agents get it at the next poll'));
  }
}
