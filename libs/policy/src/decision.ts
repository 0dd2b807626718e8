import type { AllowlistMatch } from './allowlist';
import type { Attempt } from './attempt';
import type { SecurityEventType } from './event-type';
import type { Jail } from './jail.schema';
import type { PortRange } from './port';

/** Most distinct accounts kept in evidence: they are attacker-chosen and could be many. */
export const MAX_EVIDENCE_ACCOUNTS = 20;

/** What the counted failures show; stored with the ban. */
export interface Evidence {
  /** Failure lines counted (inside the window, of the jail's types). */
  failures: number;
  /** Attempts they make (equals `failures` in 'lines' mode). */
  attempts: number;
  /** Sum of the attempts' weights: what is compared with maxretry. */
  score: number;
  agents: string[];
  firstSeen: number | null;
  lastSeen: number | null;
  /** Failure lines per event type. */
  types: Partial<Record<SecurityEventType, number>>;
  /** Distinct accounts tried, first seen first, at most MAX_EVIDENCE_ACCOUNTS. */
  accounts: string[];
}

export type NoBanCode = 'no-failures' | 'disabled' | 'allowlisted' | 'grace' | 'below-threshold' | 'already-banned';

export interface NoBan {
  ban: false;
  code: NoBanCode;
  reason: string;
  /** The entry that protects the IP, for code 'allowlisted'. */
  allowlisted?: AllowlistMatch;
  evidence?: Evidence;
}

export interface Ban {
  ban: true;
  /** The IP to ban, canonical. */
  target: string;
  jail: string;
  /** 'fleet' bans on every agent; 'host' on `agentId` only. A host jail's distinctHosts trigger bans fleet-wide. */
  scope: 'fleet' | 'host';
  agentId: string | null;
  /** Epoch ms the ban ends, or null for permanent. */
  until: number | null;
  durationS: number | null;
  /** Increment level: previous bans of the IP counted for this one (0 = first). */
  level: number;
  trigger: 'maxretry' | 'distinctHosts';
  action: Jail['action'];
  ports: 'all' | PortRange[];
  reason: string;
  evidence: Evidence;
}

/** The outcome of one evaluation. */
export type Decision = NoBan | Ban;

export function collectEvidence(attempts: readonly Attempt[]): Evidence {
  const types: Partial<Record<SecurityEventType, number>> = {};
  const agents = new Set<string>();
  const accounts = new Set<string>();
  let failures = 0;
  let score = 0;
  let firstSeen: number | null = null;
  let lastSeen: number | null = null;
  for (const attempt of attempts) {
    score += attempt.weight;
    agents.add(attempt.agentId);
    firstSeen = Math.min(firstSeen ?? attempt.time, attempt.time);
    lastSeen = Math.max(lastSeen ?? attempt.lastTime, attempt.lastTime);
    for (const failure of attempt.failures) {
      failures++;
      types[failure.type] = (types[failure.type] ?? 0) + 1;
      if (failure.account !== null && accounts.size < MAX_EVIDENCE_ACCOUNTS) accounts.add(failure.account);
    }
  }
  return { failures, attempts: attempts.length, score, agents: [...agents].sort(), firstSeen, lastSeen, types, accounts: [...accounts] };
}

/**
 * "5 failed attempts in 600s across 3 PBXs (InvalidAccountID x4, ChallengeResponseFailed x1)": attempts per
 * deciding type, most frequent first. In 'lines' mode the unit is "failures".
 */
export function describeCount(attempts: readonly Attempt[], evidence: Evidence, jail: Pick<Jail, 'findtime' | 'countMode'>): string {
  const byType = new Map<SecurityEventType, number>();
  for (const attempt of attempts) byType.set(attempt.type, (byType.get(attempt.type) ?? 0) + 1);
  const types = [...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} x${n}`);
  const count = plural(attempts.length, jail.countMode === 'lines' ? 'failure' : 'failed attempt');
  const weighted = evidence.score !== attempts.length ? ` (weighted ${evidence.score})` : '';
  return `${count}${weighted} in ${jail.findtime}s across ${plural(evidence.agents.length, 'PBX', 'PBXs')} (${types.join(', ')})`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
