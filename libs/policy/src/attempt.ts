import type { SecurityEventType } from './event-type';
import type { Failure } from './failure';
import type { Jail } from './jail.schema';

/** Failures that make one attempt: one line in 'lines' mode, one session's burst in 'attempts' mode. */
export interface Attempt {
  agentId: string;
  /** The session key of its keyed failures, null for a lone failure without one. */
  session: string | null;
  /** The first account named by its failures. */
  account: string | null;
  /** Time of the attempt's earliest failure, epoch ms. */
  time: number;
  /** Time of its first keyed failure (or its only failure): the window is measured from here. */
  anchor: number;
  lastTime: number;
  failures: Failure[];
  /** The heaviest type among the attempt's failures: the one that decides its weight. */
  type: SecurityEventType;
  weight: number;
}

type CountingRule = Pick<Jail, 'countMode' | 'attemptWindow' | 'weights'>;

/**
 * Groups one IP's failures into attempts (see README, "Counting attempts, not lines").
 * - 'lines': every failure is an attempt, as fail2ban counts.
 * - 'attempts':
 *   1. Failures with a session key (agent + SessionID or Call-ID), in time order, join the attempt of their key
 *      anchored at its first failure while `time - anchor <= attemptWindow`; a later one opens a new attempt. So a
 *      reused Call-ID hides at most one window's worth of failures per count.
 *   2. A failure without a session key (chan_sip and AMI NOTICE lines have none) joins the keyed attempt of the same
 *      agent whose anchor is nearest, within attemptWindow either side (the main log stamps whole seconds, so its
 *      lines may precede the security event), when the accounts agree (equal, or one unknown): it is another line of
 *      that attempt. Otherwise it is an attempt on its own.
 * An attempt weighs as its heaviest failure type (weights default to 1). Returns attempts in time order.
 */
export function countAttempts(failures: readonly Failure[], rule: CountingRule): Attempt[] {
  const sorted = [...failures].sort((a, b) => a.time - b.time);
  if (rule.countMode === 'lines') return sorted.map((failure) => start(failure, rule));
  const windowMs = rule.attemptWindow * 1000;
  const keyed = new Map<string, Attempt>();
  const byAgent = new Map<string, Attempt[]>();
  const attempts: Attempt[] = [];
  for (const failure of sorted) {
    if (failure.session === null) continue;
    const key = `${failure.agentId}\u0000${failure.session}`;
    const current = keyed.get(key);
    if (current !== undefined && failure.time - current.anchor <= windowMs) {
      join(current, failure, rule);
      continue;
    }
    const attempt = start(failure, rule);
    keyed.set(key, attempt);
    attempts.push(attempt);
    byAgent.set(failure.agentId, [...(byAgent.get(failure.agentId) ?? []), attempt]);
  }
  for (const failure of sorted) {
    if (failure.session !== null) continue;
    const companion = nearestKeyed(byAgent.get(failure.agentId) ?? [], failure, windowMs);
    if (companion !== null) join(companion, failure, rule);
    else attempts.push(start(failure, rule));
  }
  return attempts.sort((a, b) => a.time - b.time);
}

function nearestKeyed(candidates: readonly Attempt[], failure: Failure, windowMs: number): Attempt | null {
  let best: Attempt | null = null;
  for (const attempt of candidates) {
    const distance = Math.abs(failure.time - attempt.anchor);
    if (distance > windowMs) continue;
    if (failure.account !== null && attempt.account !== null && failure.account !== attempt.account) continue;
    if (best === null || distance < Math.abs(failure.time - best.anchor)) best = attempt;
  }
  return best;
}

const weightOf = (type: SecurityEventType, rule: CountingRule): number => rule.weights[type] ?? 1;

function start(failure: Failure, rule: CountingRule): Attempt {
  return {
    agentId: failure.agentId,
    session: failure.session,
    account: failure.account,
    time: failure.time,
    anchor: failure.time,
    lastTime: failure.time,
    failures: [failure],
    type: failure.type,
    weight: weightOf(failure.type, rule),
  };
}

function join(attempt: Attempt, failure: Failure, rule: CountingRule): void {
  attempt.failures.push(failure);
  attempt.time = Math.min(attempt.time, failure.time);
  attempt.lastTime = Math.max(attempt.lastTime, failure.time);
  attempt.account ??= failure.account;
  const weight = weightOf(failure.type, rule);
  if (weight > attempt.weight) {
    attempt.weight = weight;
    attempt.type = failure.type;
  }
}
