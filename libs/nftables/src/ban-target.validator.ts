import { CidrSet, cidrsOverlap, formatCidr, isSingleAddress, parseCidr, type Cidr } from '@fleetban/ip';

/** A ban the enforcer did not apply, and why: `ip` and `reason` are the fields of the protocol's `refused` message. */
export interface Refusal {
  ip: string;
  kind: 'invalid' | 'protected';
  reason: string;
}

/** Which of the four sets an element lives in: single addresses in hash sets, networks in interval sets. */
export type SetName = 'banned4' | 'banned6' | 'banned4net' | 'banned6net';
export const SET_NAMES: readonly SetName[] = ['banned4', 'banned4net', 'banned6', 'banned6net'];

/** What a ban's text names once checked: canonical text (only digits, hex, dots, colons, a slash) and its set. */
export interface BanTarget {
  cidr: string;
  parsed: Cidr;
  set: SetName;
}

export function setOf(cidr: Cidr): SetName {
  const family = cidr.version === 4 ? 'banned4' : 'banned6';
  return isSingleAddress(cidr) ? family : `${family}net`;
}

/** Entries remembered before the memo starts over: above the 100,000 bans of a busy fleet, bounded against floods. */
const MEMO_CAPACITY = 250_000;

/**
 * Validates ban targets with @fleetban/ip and refuses those touching a protected network (the host's own addresses,
 * its server's, its allowlist). Answers are remembered: the agent re-asserts the same 100,000 bans again and again,
 * and parsing them all (BigInt arithmetic) costs more than the nft batch itself.
 */
export class BanTargetValidator {
  private readonly protectedCidrs: Cidr[];
  private readonly memo = new Map<string, BanTarget | Refusal>();

  /** `protectedEntries`: addresses or networks (host bits allowed, as in an allowlist); throws on an invalid one. */
  constructor(protectedEntries: readonly string[]) {
    new CidrSet(protectedEntries);
    // Matched on parsed values: CidrSet.match re-parses its argument, which doubles the cost of a big snapshot.
    this.protectedCidrs = protectedEntries.map((entry) => parseCidr(entry, { strict: false }) as Cidr);
  }

  check(text: string): BanTarget | Refusal {
    const known = this.memo.get(text);
    if (known !== undefined) return known;
    const answer = this.compute(text);
    if (this.memo.size >= MEMO_CAPACITY) this.memo.clear();
    if (typeof text === 'string') this.memo.set(text, answer);
    return answer;
  }

  private compute(text: string): BanTarget | Refusal {
    const parsed = typeof text === 'string' ? parseCidr(text) : null;
    if (parsed === null) return { ip: String(text), kind: 'invalid', reason: 'not an IP address or a CIDR with host bits clear' };
    const cidr = formatCidr(parsed);
    const hit = this.protectedCidrs.find((p) => cidrsOverlap(p, parsed));
    if (hit !== undefined) return { ip: cidr, kind: 'protected', reason: `overlaps protected ${formatCidr(hit)}` };
    return { cidr, parsed, set: setOf(parsed) };
  }
}

export const isRefusal = (answer: BanTarget | Refusal): answer is Refusal => 'kind' in answer;
