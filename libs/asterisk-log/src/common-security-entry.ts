import { canonicalIpAt, localAddressAt, portAt, transportAt, type Endpoint } from './remote-address';
import { parseEventTv } from './log-time';
import { serviceAt, type SecurityEntry } from './security-log';
import { EVENT_SHAPES, MAX_ACCOUNT_BY_SERVICE, shapeAt, type EventShape } from './security-shapes';
import { TRANSPORTS, type SecurityEventType } from './security-event';
import { asteriskPrefixSource } from './line-prefix';

/** A value as the common entry writes it: no quote, no newline. */
const V = '[^"\\n]*';
/** Every key an event type may carry after RemoteAddress. */
const TAIL_KEYS = [...new Set([...EVENT_SHAPES.values()].flatMap((s) => s.tail.map((ie) => ie.literal.slice(1, -2))))];
if (TAIL_KEYS.some((k) => !/^[A-Za-z]+$/.test(k) || k === 'LocalAddress' || k === 'RemoteAddress')) throw new Error('a tail key would let the common form hold a second address pair');
/** The transports as written, longest first so that `WSS` is not read as `WS`. */
const TRANSPORT_ALTERNATIVES = [...TRANSPORTS].sort((a, b) => b.length - a.length).join('|');

/**
 * The whole entry in one pass of the regular-expression engine: captures type, EventTV, Service, AccountID,
 * SessionID, LocalAddress, the remote transport, address and port, and the tail. The remote address is taken apart
 * here, in the engine, in its everyday form only (`IPV4/UDP/1.2.3.4/5060`, transport upper case or absent); any
 * other form goes to the careful reader.
 */
const ENTRY =
  `SecurityEvent="([A-Za-z]+)",EventTV="(${V})",Severity="${V}",Service="(${V})",EventVersion="${V}",(?:AccountID="(${V})",)?SessionID="(${V})",` +
  `LocalAddress="(IPV[46]/${V})",RemoteAddress="IPV[46]/(?:(${TRANSPORT_ALTERNATIVES})/)?([0-9A-Fa-f.:]{1,45})/(\\d{1,5})"((?:,(?:${TAIL_KEYS.join('|')})="${V}")*)`;

/** The entry alone, sticky at the `SecurityEvent="` marker of a line. */
const COMMON = new RegExp(`${ENTRY}$`, 'y');

/**
 * A whole res_security_log line in Asterisk's own format, sticky at the line's start in a block of lines, the line
 * ending at a newline (after any `\r`) or at the end of the block. Its prefix (capture 1) is read as parsePrefix
 * reads it, with level SECURITY and the message at the marker.
 */
const COMMON_LINE = new RegExp(`${asteriskPrefixSource('SECURITY')}${ENTRY}(?=\\r*(?:\\n|$))`, 'y');

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
  return m === null ? null : entryOf(text, m, 1, start, text.length);
}

/**
 * {@link readCommonSecurityEntry} for a whole line of Asterisk's own format at `text[start, ...)`, prefix included,
 * in a block of lines: the reader that takes such a line from a block in one pass, without cutting it out first.
 * Null for any other line, which then goes through parsePrefix and parseEntry.
 */
export function readCommonSecurityLine(text: string, start: number): SecurityEntry | null {
  COMMON_LINE.lastIndex = start;
  const m = COMMON_LINE.exec(text);
  return m === null ? null : entryOf(text, m, 2, start + (m[1] as string).length, start + m[0].length);
}

const TYPE_AT = 'SecurityEvent="'.length;
const EVENT_TV_AT = '",EventTV="'.length;
const REMOTE_KEY = '",RemoteAddress="'.length;

/**
 * The entry of a match of ENTRY at `text[marker, end)` whose type is capture `g` (then EventTV, Service, ... in
 * ENTRY's order); null when it is not common. Type, EventTV and the addresses are read in `text` itself, where the
 * lengths of the captures place them: looking a capture up in a Map would cost V8 a runtime call to hash a fresh
 * string on every line (~240 against ~50 ns per lookup, measured), where the type and the local address are told
 * apart in place by a few characters.
 */
function entryOf(text: string, m: RegExpExecArray, g: number, marker: number, end: number): SecurityEntry | null {
  const typeEnd = marker + TYPE_AT + (m[g] as string).length;
  const named = shapeAt(text, marker + TYPE_AT, typeEnd);
  const known = named === undefined ? undefined : COMMON_TYPES.get(named.type);
  const account = m[g + 3];
  if (known === undefined || known.shape.accountFirst !== (account !== undefined)) return null;
  const serviceText = m[g + 2] as string;
  const service = serviceAt(serviceText, 0, serviceText.length);
  const max = MAX_ACCOUNT_BY_SERVICE.get(service);
  if (account !== undefined && max !== undefined && account.length > max) return null;
  const tail = m[g + 9] as string;
  if (tail === '' ? !known.emptyTail : !known.tail.test(tail)) return null;
  // Backwards from the end: `IPV4/[transport/]ip/port"` + tail.
  const portEnd = end - tail.length - 1;
  const ipEnd = portEnd - (m[g + 8] as string).length - 1;
  const ipStart = ipEnd - (m[g + 7] as string).length;
  const ip = canonicalIpAt(text, ipStart, ipEnd);
  const port = portAt(text, ipEnd + 1, portEnd);
  if (ip === null || port === null) return null;
  const transportText = m[g + 6];
  const localEnd = ipStart - 5 - (transportText === undefined ? 0 : transportText.length + 1) - REMOTE_KEY;
  const remote: Endpoint = { ip, port, transport: transportText === undefined ? null : transportAt(transportText, 0, transportText.length) };
  const tvStart = typeEnd + EVENT_TV_AT;
  return {
    ok: true,
    type: known.type,
    time: parseEventTv(text, tvStart, tvStart + (m[g + 1] as string).length),
    service,
    account: account ?? null,
    session: m[g + 4] as string,
    remote,
    local: localAddressAt(text, localEnd - (m[g + 5] as string).length, localEnd),
  };
}
