import { localAddressAt, parseSecurityAddress } from './remote-address';
import { parseEventTv } from './log-time';
import { fitsTail, serviceAt, type SecurityEntry } from './security-log';
import { EVENT_SHAPES, MAX_ACCOUNT_BY_SERVICE, shapeAt } from './security-shapes';

/** A value as the common entry writes it: no quote, no newline. */
const V = '[^"\\n]*';
/** Every key an event type may carry after RemoteAddress. */
const TAIL_KEYS = [...new Set([...EVENT_SHAPES.values()].flatMap((s) => s.tail.map((ie) => ie.literal.slice(1, -2))))];
if (TAIL_KEYS.some((k) => !/^[A-Za-z]+$/.test(k) || k === 'LocalAddress' || k === 'RemoteAddress')) throw new Error('a tail key would let the common form hold a second address pair');

/**
 * The whole entry in one pass of the regular-expression engine: captures type, EventTV, Service, AccountID,
 * SessionID, LocalAddress, RemoteAddress and the tail. Sticky: it starts at the `SecurityEvent="` marker.
 */
const COMMON = new RegExp(
  `SecurityEvent="([A-Za-z]+)",EventTV="(${V})",Severity="${V}",Service="(${V})",EventVersion="${V}",(?:AccountID="(${V})",)?SessionID="(${V})",` +
    `LocalAddress="(IPV[46]/${V})",RemoteAddress="(IPV[46]/${V})"((?:,(?:${TAIL_KEYS.join('|')})="${V}")*)$`,
  'y',
);

/**
 * The fast path for the entries Asterisk writes every day: when no value holds a quote or a newline and the tail
 * holds only the keys a type may carry, the only `",LocalAddress="` is the real one, so the careful reader
 * ({@link parseSecurityEntry}) would find exactly one candidate and one split, and return this same entry. Reading
 * it with one regular expression costs a fraction of the careful reader's dozens of searches. Anything else (a
 * quote in attacker text, a continuation line, a PJSIP AccountID over 36, a tail out of order, an address that
 * does not parse) returns null, and the careful reader decides. `parser.property.spec.ts` checks that the two agree.
 */
export function readCommonSecurityEntry(text: string, start: number): SecurityEntry | null {
  COMMON.lastIndex = start;
  const m = COMMON.exec(text);
  if (m === null) return null;
  const typeText = m[1] as string;
  const account = m[4];
  const tail = m[8] as string;
  const named = shapeAt(typeText, 0, typeText.length);
  if (named === undefined || named.shape.accountFirst !== (account !== undefined)) return null;
  const serviceText = m[3] as string;
  const service = serviceAt(serviceText, 0, serviceText.length);
  const max = MAX_ACCOUNT_BY_SERVICE.get(service);
  if (account !== undefined && max !== undefined && account.length > max) return null;
  if (!fitsTail(tail, 0, tail.length, named.shape.tail)) return null;
  const remote = parseSecurityAddress(m[7] as string);
  if (remote === null) return null;
  const local = m[6] as string;
  return { ok: true, type: named.type, time: parseEventTv(m[2] as string), service, account: account ?? null, session: m[5] as string, remote, local: localAddressAt(local, 0, local.length) };
}
