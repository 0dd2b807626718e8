import { Inject, Injectable } from '@nestjs/common';
import { evaluateEachScope, type Ban as BanDecision, type Jail } from '@fleetban/policy';
import type { Logger } from 'pino';
import type { NewBan } from '../bans/ban';
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
  private placing: Promise<unknown> = Promise.resolve();

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
  evaluateIp(ip: string, now: number): Promise<number> {
    return this.evaluateIps([ip], now);
  }

  /**
   * Evaluates many IPs with a fixed number of round trips (windows, history, breaker, one ban transaction),
   * however many there are: under a flood the cost is the policy's, not the network's. Returns the bans placed.
   */
  async evaluateIps(ips: readonly string[], now: number): Promise<number> {
    const jails = await this.jails.enabled();
    if (jails.length === 0 || ips.length === 0) return 0;
    // The ban history does not depend on the windows: both at once, one wait less on the way to the ban.
    const [windows, histories, allowlist] = await Promise.all([this.window.readMany(ips, horizonMs(jails), now), this.banHistory.coveringMany(ips), this.allowlist.forPolicy()]);
    const failing = ips.filter((ip) => (windows.get(ip)?.length ?? 0) > 0);
    if (failing.length === 0) return 0;
    const decided: BanDecision[] = [];
    for (const ip of failing) {
      const records = (histories.get(ip) ?? []).map(toBanRecord);
      for (const jail of jails) {
        // A jail weighs only its own bans and manual ones, so bans decided here by other jails change nothing.
        const decisions = evaluateEachScope(jail, windows.get(ip) ?? [], records, allowlist, now, { manualUnbanGraceS: this.config.unbanGraceS });
        for (const decision of decisions) if (decision.ban) decided.push(decision);
      }
    }
    return this.place(decided, now);
  }

  /**
   * One placement at a time in this process: the breaker's allowance is read, used and recorded before the next job
   * reads it, so concurrent jobs cannot each spend the whole allowance.
   */
  private place(decisions: readonly BanDecision[], now: number): Promise<number> {
    if (decisions.length === 0) return Promise.resolve(0);
    const placed = this.placing.then(() => this.placeNow(decisions, now));
    this.placing = placed.catch(() => undefined);
    return placed;
  }

  private async placeNow(decisions: readonly BanDecision[], now: number): Promise<number> {
    const breaker = await this.breaker.state(now, this.config.breakerLimitPerMinute);
    const allowed = breaker.paused ? 0 : Math.max(0, breaker.limit - breaker.bansLastMinute);
    for (const decision of decisions.slice(allowed)) {
      this.log.error({ target: decision.target, jail: decision.jail, breaker }, `${breaker.reason}; not banning ${decision.target}: check the parser and the jails, then wait or ban by hand`);
    }
    const bans = await this.bans.placeMany(decisions.slice(0, allowed).map((decision) => toNewBan(decision)));
    await this.breaker.record(now, bans.map((ban) => ban.id));
    return bans.length;
  }
}

function toNewBan(decision: BanDecision): NewBan {
  return {
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
  };
}

/** How far back failures matter: the longest findtime, plus the attempt window that groups lines at its edge. */
function horizonMs(jails: readonly Jail[]): number {
  return Math.max(...jails.map((jail) => (jail.findtime + jail.attemptWindow) * 1000));
}
