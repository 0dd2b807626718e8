import type { SecurityEventType } from './event-type';
import type { Failure } from './failure';
import type { Jail } from './jail.schema';

/** Failures that make one attempt: one line in 'lines' mode, one session's burst in 'attempts' mode. */
export interface Attempt {
  agentId: string;
  session: string | null;
  /** Time of the attempt's first failure (its anchor), epoch ms. */
  time: number;
  lastTime: number;
  failures: Failure[];
  /** The heaviest type among the attempt's failures: the one that decides its weight. */
  type: SecurityEventType;
  weight: number;
}

type CountingRule = Pick<Jail, 'countMode' | 'attemptWindow' | 'weights'>;

/**
 * Groups one IP's failures into attempts (see README, "Counting attempts").
 * - 'lines': every failure is an attempt, as fail2ban counts.
 * - 'attempts': failures with the same agent and session key join the attempt anchored at that key's first
 *   failure while `time - anchor <= attemptWindow`; a later failure of that key opens a new attempt with a new
 *   anchor, so one key counts at most once per window and reusing a Call-ID hides nothing beyond that.
 *   A failure without a session key is an attempt on its own.
 * An attempt weighs as its heaviest failure type (weights default to 1).
 * Returns attempts in time order; failures need not be sorted.
 */
export function countAttempts(failures: readonly Failure[], rule: CountingRule): Attempt[] {
  const sorted = [...failures].sort((a, b) => a.time - b.time);
  const windowMs = rule.attemptWindow * 1000;
  const open = new Map<string, Attempt>();
  const attempts: Attempt[] = [];
  for (const failure of sorted) {
    const key = rule.countMode === 'attempts' && failure.session !== null ? `${failure.agentId}\u0000${failure.session}` : null;
    const current = key === null ? undefined : open.get(key);
    if (current !== undefined && failure.time - current.time <= windowMs) {
      join(current, failure, rule);
      continue;
    }
    const attempt = start(failure, rule);
    attempts.push(attempt);
    if (key !== null) open.set(key, attempt);
  }
  return attempts;
}

const weightOf = (type: SecurityEventType, rule: CountingRule): number => rule.weights[type] ?? 1;

function start(failure: Failure, rule: CountingRule): Attempt {
  return {
    agentId: failure.agentId,
    session: failure.session,
    time: failure.time,
    lastTime: failure.time,
    failures: [failure],
    type: failure.type,
    weight: weightOf(failure.type, rule),
  };
}

function join(attempt: Attempt, failure: Failure, rule: CountingRule): void {
  attempt.failures.push(failure);
  attempt.lastTime = failure.time;
  const weight = weightOf(failure.type, rule);
  if (weight > attempt.weight) {
    attempt.weight = weight;
    attempt.type = failure.type;
  }
}
