import { Inject, Injectable } from '@nestjs/common';
import { evaluateEachScope, type Ban as BanDecision, type Jail } from '@fleetban/policy';
import type { Logger } from 'pino';
import { AllowlistService } from '../allowlist/allowlist.service';
import { BanRepository } from '../bans/ban.repository';
import { BansService } from '../bans/bans.service';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { JailsService } from '../jails/jails.service';
import { LOGGER } from '../logging/logger';
import { toBanRecord } from './ban-record';
import { CircuitBreaker } from './circuit-breaker';
import { FailureWindow } from './failure-window';

/**
 * Evaluates one IP against every enabled jail, over its failures across the whole fleet, and places the bans
 * the policy decides. Idempotent: an active ban is never placed twice (the database refuses), so a job that
 * runs twice, or two workers on the same IP, are harmless.
 */
@Injectable()
export class BanEngine {
  private readonly log: Logger;

  constructor(
    private readonly jails: JailsService,
    private readonly allowlist: AllowlistService,
    private readonly window: FailureWindow,
    private readonly bans: BansService,
    private readonly banHistory: BanRepository,
    private readonly breaker: CircuitBreaker,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'ban-engine' });
  }

  /** Returns the number of bans placed. */
  async evaluateIp(ip: string, now: number): Promise<number> {
    const jails = await this.jails.enabled();
    if (jails.length === 0) return 0;
    const failures = await this.window.read(ip, horizonMs(jails), now);
    if (failures.length === 0) return 0;
    const [history, allowlist] = await Promise.all([this.banHistory.covering(ip), this.allowlist.forPolicy()]);
    const records = history.map(toBanRecord);
    let placed = 0;
    for (const jail of jails) {
      const decisions = evaluateEachScope(jail, failures, records, allowlist, now, { manualUnbanGraceS: this.config.unbanGraceS });
      for (const decision of decisions) {
        if (!decision.ban) continue;
        const ban = await this.place(decision, now);
        if (ban) {
          placed++;
          records.unshift(toBanRecord(ban));
        }
      }
    }
    return placed;
  }

  private async place(decision: BanDecision, now: number) {
    const breaker = await this.breaker.state(now, this.config.breakerLimitPerMinute);
    if (breaker.paused) {
      this.log.error({ target: decision.target, jail: decision.jail, breaker }, `${breaker.reason}; not banning ${decision.target}: check the parser and the jails, then wait or ban by hand`);
      return null;
    }
    const ban = await this.bans.place({
      target: decision.target,
      jail: decision.jail,
      scope: decision.scope,
      agentId: decision.agentId === null ? null : Number(decision.agentId),
      origin: 'automatic',
      reason: decision.reason,
      level: decision.level,
      expiresAt: decision.until === null ? null : new Date(decision.until),
      createdBy: null,
      evidence: { ...decision.evidence, trigger: decision.trigger },
    });
    if (ban) await this.breaker.record(now, ban.id);
    return ban;
  }
}

/** How far back failures matter: the longest findtime, plus the attempt window that groups lines at its edge. */
function horizonMs(jails: readonly Jail[]): number {
  return Math.max(...jails.map((jail) => (jail.findtime + jail.attemptWindow) * 1000));
}
