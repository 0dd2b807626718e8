import { normalizeIp } from '@fleetban/ip';
import { Allowlist, describeAllowlistMatch, type AllowlistEntry } from './allowlist';
import { countAttempts } from './attempt';
import { banDuration } from './ban-duration';
import { activeBan, consumedUntil, graceUntil, incrementLevel, type BanRecord, type BanScope } from './ban-record';
import { collectEvidence, describeCount, type Ban, type Decision, type Evidence, type NoBan } from './decision';
import type { Failure } from './failure';
import type { Jail } from './jail.schema';

export interface EvaluateOptions {
  /** Host-scope jails: the agent to evaluate (required there; ignored for fleet scope). */
  agentId?: string;
  /** No automatic ban until this long after a manual unban. Default 3600 s. */
  manualUnbanGraceS?: number;
  /** Failures stamped up to this far after `now` still count (agents' clocks drift). Default 60 s. */
  futureToleranceS?: number;
}

export const DEFAULT_MANUAL_UNBAN_GRACE_S = 3600;
export const DEFAULT_FUTURE_TOLERANCE_S = 60;

/**
 * Decides whether `jail` bans the IP whose `failures` are given (all failures must share one IP), at time `now`
 * (epoch ms). `history` holds the IP's bans (any jail), `allowlist` the global and per-agent entries.
 * Order: disabled jail, allowlist (global, agent, jail's ignoreip: always wins), grace after a manual unban,
 * counting (failures of the jail's types with now - findtime <= time <= now + tolerance, after the last ban of this
 * jail and the last manual unban), thresholds (distinctHosts, then score >= maxretry), already banned, duration.
 * See README for the exact rules.
 */
export function evaluate(
  jail: Jail,
  failures: readonly Failure[],
  history: readonly BanRecord[],
  allowlist: Allowlist | readonly AllowlistEntry[],
  now: number,
  options: EvaluateOptions = {},
): Decision {
  const ip = subjectIp(failures);
  if (ip === null) return { ban: false, code: 'no-failures', reason: 'no failures' };
  if (!jail.enabled) return { ban: false, code: 'disabled', reason: `jail ${jail.name} is disabled` };
  const scope = scopeOf(jail, options);
  const list = compiled(allowlist);
  const guarded = allowlisted(ip, list, jail, scope);
  if (guarded !== null) return guarded;
  const grace = graceUntil(history, options.manualUnbanGraceS ?? DEFAULT_MANUAL_UNBAN_GRACE_S, now);
  if (grace !== null) return { ban: false, code: 'grace', reason: `manually unbanned: no automatic ban before ${iso(grace)}` };

  const counted = countable(jail, failures, history, now, options);
  const agents = new Set(counted.map((failure) => failure.agentId));
  const distinct = jail.distinctHosts !== null && agents.size >= jail.distinctHosts;
  const banScope: BanScope = distinct ? { scope: 'fleet', agentId: null } : scope;
  const attempts = countAttempts(banScope.scope === 'fleet' ? counted : counted.filter((f) => f.agentId === scope.agentId), jail);
  const evidence = collectEvidence(attempts);
  const count = describeCount(attempts, evidence, jail);
  if (!distinct && evidence.score < jail.maxretry) {
    return { ban: false, code: 'below-threshold', reason: `${count}: below maxretry ${jail.maxretry}`, evidence };
  }
  // A host jail's distinctHosts trigger bans on every agent: every agent's allowlist must agree.
  const widened = banScope.scope === scope.scope ? null : allowlisted(ip, list, jail, banScope);
  if (widened !== null) return widened;
  const active = activeBan(history, jail.name, banScope, now);
  if (active !== null) {
    return { ban: false, code: 'already-banned', reason: active.until === null ? 'already banned permanently' : `already banned until ${iso(active.until)}`, evidence };
  }
  const why = distinct ? `failed on ${agents.size} PBXs within ${jail.findtime}s (distinctHosts ${jail.distinctHosts}): ${count}` : count;
  return banOf(jail, ip, banScope, distinct ? 'distinctHosts' : 'maxretry', why, evidence, history, now);
}

function banOf(jail: Jail, ip: string, scope: BanScope, trigger: Ban['trigger'], why: string, evidence: Evidence, history: readonly BanRecord[], now: number): Ban {
  const level = incrementLevel(history, jail.name, jail.increment.lookback, now);
  const durationS = banDuration(jail, level);
  return {
    ban: true,
    target: ip,
    jail: jail.name,
    ...scope,
    until: durationS === null ? null : now + durationS * 1000,
    durationS,
    level,
    trigger,
    action: jail.action,
    ports: jail.ports,
    reason: level > 0 ? `${why}; repeat offender, level ${level}` : why,
    evidence,
  };
}

/** Global entries, the entries of every agent the ban would reach, and the jail's ignoreip. */
function allowlisted(ip: string, allowlist: Allowlist, jail: Jail, scope: BanScope): NoBan | null {
  const match = allowlist.match(ip, { agentId: scope.agentId, jail });
  if (match === null) return null;
  return { ban: false, code: 'allowlisted', reason: `${ip} is allowlisted by ${describeAllowlistMatch(match)}`, allowlisted: match };
}

/**
 * Evaluates every scope the jail can ban in: one decision for a fleet jail; for a host jail, one per agent that
 * reported failures (or a single fleet-wide decision when distinctHosts is crossed). The worker calls this per IP.
 */
export function evaluateEachScope(
  jail: Jail,
  failures: readonly Failure[],
  history: readonly BanRecord[],
  allowlist: Allowlist | readonly AllowlistEntry[],
  now: number,
  options: Omit<EvaluateOptions, 'agentId'> = {},
): Decision[] {
  if (jail.scope === 'fleet') return [evaluate(jail, failures, history, allowlist, now, options)];
  const list = compiled(allowlist);
  const decisions: Decision[] = [];
  for (const agentId of [...new Set(failures.map((failure) => failure.agentId))].sort()) {
    const decision = evaluate(jail, failures, history, list, now, { ...options, agentId });
    if (decision.ban && decision.scope === 'fleet') return [decision];
    decisions.push(decision);
  }
  return decisions;
}

function scopeOf(jail: Jail, options: EvaluateOptions): BanScope {
  if (jail.scope === 'fleet') return { scope: 'fleet', agentId: null };
  if (options.agentId === undefined) throw new Error(`jail ${jail.name} has host scope: pass options.agentId, or call evaluateEachScope`);
  return { scope: 'host', agentId: options.agentId };
}

/**
 * The failures the jail counts: its types, inside [now - findtime, now + tolerance], and not consumed, i.e. later
 * than the last ban of this jail reaching the failure's agent and than the last manual unban.
 */
function countable(jail: Jail, failures: readonly Failure[], history: readonly BanRecord[], now: number, options: EvaluateOptions): Failure[] {
  const from = now - jail.findtime * 1000;
  const to = now + (options.futureToleranceS ?? DEFAULT_FUTURE_TOLERANCE_S) * 1000;
  const types = new Set(jail.eventTypes);
  const consumed = new Map<string, number>();
  const consumedFor = (agentId: string): number => {
    let until = consumed.get(agentId);
    if (until === undefined) {
      until = consumedUntil(history, jail.name, { scope: 'host', agentId }, now);
      consumed.set(agentId, until);
    }
    return until;
  };
  return failures.filter((f) => f.time >= from && f.time <= to && types.has(f.type) && f.time > consumedFor(f.agentId));
}

/** The one IP of the failures, canonical; null if there are none. Mixed IPs are a caller bug, never merged. */
function subjectIp(failures: readonly Failure[]): string | null {
  let ip: string | null = null;
  let raw: string | null = null;
  for (const failure of failures) {
    if (failure.ip === raw) continue;
    const canonical = normalizeIp(failure.ip);
    if (canonical === null) throw new Error(`failure ip "${failure.ip}" is not an IP address`);
    if (ip !== null && canonical !== ip) throw new Error(`evaluate() takes the failures of one IP: got ${ip} and ${canonical}`);
    ip = canonical;
    raw = failure.ip;
  }
  return ip;
}

const compiled = (allowlist: Allowlist | readonly AllowlistEntry[]): Allowlist => (allowlist instanceof Allowlist ? allowlist : new Allowlist(allowlist));

const iso = (ms: number): string => new Date(ms).toISOString();
