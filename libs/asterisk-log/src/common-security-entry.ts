import { canonicalIpAt, localAddress, type Endpoint } from './remote-address';
import { parseEventTv } from './log-time';
import { serviceAt, type SecurityEntry } from './security-log';
import { EVENT_SHAPES, MAX_ACCOUNT_BY_SERVICE, type EventShape } from './security-shapes';
import { TRANSPORTS, type SecurityEventType, type Transport } from './security-event';

/** A value as the common entry writes it: no quote, no newline. */
const V = '[^"\\n]*';
/** Every key an event type may carry after RemoteAddress. */
const TAIL_KEYS = [...new Set([...EVENT_SHAPES.values()].flatMap((s) => s.tail.map((ie) => ie.literal.slice(1, -2))))];
if (TAIL_KEYS.some((k) => !/^[A-Za-z]+$/.test(k) || k === 'LocalAddress' || k === 'RemoteAddress')) throw new Error('a tail key would let the common form hold a second address pair');
/** The transports as written, longest first so that `WSS` is not read as `WS`. */
const TRANSPORT_ALTERNATIVES = [...TRANSPORTS].sort((a, b) => b.length - a.length).join('|');

/**
 * The whole entry in one pass of the regular-expression engine: captures type, EventTV, Service, AccountID,
 * SessionID, LocalAddress, the remote transport, address and port, and the tail. Sticky: it starts at the
 * `SecurityEvent="` marker. The remote address is taken apart here, in the engine, in its everyday form only
 * (`IPV4/UDP/1.2.3.4/5060`, transport upper case or absent); any other form goes to the careful reader.
 */
const COMMON = new RegExp(
  `SecurityEvent="([A-Za-z]+)",EventTV="(${V})",Severity="${V}",Service="(${V})",EventVersion="${V}",(?:AccountID="(${V})",)?SessionID="(${V})",` +
    `LocalAddress="(IPV[46]/${V})",RemoteAddress="IPV[46]/(?:(${TRANSPORT_ALTERNATIVES})/)?([0-9A-Fa-f.:]{1,45})/(\\d{1,5})"((?:,(?:${TAIL_KEYS.join('|')})="${V}")*)$`,
  'y',
);

/** One event type as the fast path needs it: its shape and its tail as a regular expression. */
interface CommonType {
  type: SecurityEventType;
  shape: EventShape;
  /** Exactly the IEs of the shape's tail, in order, optional ones skippable, for values without a quote. */
  tail: RegExp;
  /** The empty tail fits (every IE optional). */
  emptyTail: boolean;
}

const COMMON_TYPES: ReadonlyMap<string, CommonType> = new Map(
  [...EVENT_SHAPES].map(([type, shape]) => {
    const ies = shape.tail.map((ie) => `(?:${ie.literal}${V}")${ie.required ? '' : '?'}`).join('');
    return [type, { type: type as SecurityEventType, shape, tail: new RegExp(`^${ies}$`), emptyTail: shape.tail.every((ie) => !ie.required) }];
  }),
);

/** The remote transport as the constant it equals. */
const TRANSPORT_TEXT: ReadonlyMap<string, Transport> = new Map(TRANSPORTS.map((t) => [t, t]));

/**
 * The fast path for the entries Asterisk writes every day: when no value holds a quote or a newline and the tail
 * holds only the keys a type may carry, the only `",LocalAddress="` is the real one, so the careful reader
 * ({@link parseSecurityEntry}) would find exactly one candidate and one split, and return this same entry. Reading
 * it with one regular expression costs a fraction of the careful reader's dozens of searches. Anything else (a
 * quote in attacker text, a continuation line, a PJSIP AccountID over 36, a tail out of order, an address in an
 * unusual form or that does not parse) returns null, and the careful reader decides. `fast-path.property.spec.ts`
 * checks that the two agree.
 */
export function readCommonSecurityEntry(text: string, start: number): SecurityEntry | null {
  COMMON.lastIndex = start;
  const m = COMMON.exec(text);
  if (m === null) return null;
  const known = COMMON_TYPES.get(m[1] as string);
  const account = m[4];
  if (known === undefined || known.shape.accountFirst !== (account !== undefined)) return null;
  const serviceText = m[3] as string;
  const service = serviceAt(serviceText, 0, serviceText.length);
  const max = MAX_ACCOUNT_BY_SERVICE.get(service);
  if (account !== undefined && max !== undefined && account.length > max) return null;
  const tail = m[10] as string;
  if (tail === '' ? !known.emptyTail : !known.tail.test(tail)) return null;
  const ipText = m[8] as string;
  const ip = canonicalIpAt(ipText, 0, ipText.length);
  const port = Number(m[9]);
  if (ip === null || port > 65535) return null;
  const transportText = m[7];
  const remote: Endpoint = { ip, port, transport: transportText === undefined ? null : (TRANSPORT_TEXT.get(transportText) as Transport) };
  return { ok: true, type: known.type, time: parseEventTv(m[2] as string), service, account: account ?? null, session: m[5] as string, remote, local: localAddress(m[6] as string) };
}
