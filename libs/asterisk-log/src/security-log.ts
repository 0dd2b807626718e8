import { parseEventTv } from './log-time';
import type { RejectReason } from './parse-outcome';
import { isFamily, localAddressAt, securityAddressAt, type Endpoint } from './remote-address';
import { MAX_ACCOUNT_BY_SERVICE, SINGLE_LINE_ACCOUNT_SERVICES, shapeAt, type TailIe } from './security-shapes';
import type { SecurityEventType } from './security-event';

/** A security-log entry read by structure. */
export interface SecurityEntry {
  ok: true;
  type: SecurityEventType;
  /** EventTV in epoch ms, NaN when unusable (the caller then falls back on the prefix date). */
  time: number;
  service: string;
  /** Null when the value is absent, or when several candidate splits agree on the address but not on the fields. */
  account: string | null;
  session: string | null;
  remote: Endpoint;
  /** LocalAddress as `ip:port` / `[v6]:port`. */
  local: string | null;
}

/** A failure; `incomplete` when a following physical line could still complete the entry. */
export interface SecurityFailure {
  ok: false;
  reason: RejectReason;
  incomplete: boolean;
}

const MARKER = 'SecurityEvent="';
const LOCAL = '",LocalAddress="';
const SESSION = '",SessionID="';
/** Steps of tail matching allowed per entry: attacker text full of `",` must not buy unbounded work. */
const TAIL_BUDGET = 20_000;

const fail = (reason: RejectReason, incomplete: boolean): SecurityFailure => ({ ok: false, reason, incomplete });

/** Matching steps left for the entry being parsed (module state: parsing is synchronous and never re-entered). */
let budget = 0;

// Hot path, every security line: V8 inlines startsWith only when the searched text is a literal at the call
// site, so the keys below are written out rather than looped over.

/** The service as one of the constants Asterisk writes (no per-line copy), or the text as written. */
export function serviceAt(text: string, start: number, end: number): string {
  const n = end - start;
  if (n === 5 && text.startsWith('PJSIP', start)) return 'PJSIP';
  if (n === 3 && text.startsWith('SIP', start)) return 'SIP';
  if (n === 4 && text.startsWith('IAX2', start)) return 'IAX2';
  if (n === 3 && text.startsWith('AMI', start)) return 'AMI';
  return text.slice(start, end);
}

/** Whether no IE of `tail` from index `i` on is required. */
function restOptional(tail: readonly TailIe[], i: number): boolean {
  for (let j = i; j < tail.length; j++) if ((tail[j] as TailIe).required) return false;
  return true;
}

/**
 * Whether `text[pos, end)` is exactly the IEs of `tail` from index `i` on, in order, optional ones skippable.
 * An untrusted value may contain `",`: every closing quote followed by `,` (or the end) is tried.
 */
function matchTail(text: string, pos: number, end: number, tail: readonly TailIe[], i: number): boolean {
  if (--budget < 0) return false;
  if (pos === end) return restOptional(tail, i);
  for (let j = i; j < tail.length; j++) {
    const ie = tail[j] as TailIe;
    if (text.startsWith(ie.literal, pos)) {
      let q = text.indexOf('"', pos + ie.literal.length);
      while (q >= 0 && q < end) {
        if ((q + 1 === end || text.charCodeAt(q + 1) === 44) && matchTail(text, q + 1, end, tail, j + 1)) return true;
        if (!ie.untrusted) break;
        q = text.indexOf('"', q + 1);
      }
    }
    if (ie.required) return false;
  }
  return false;
}

interface Candidate {
  localStart: number;
  remote: Endpoint | null;
  local: string | null;
}

/** The LocalAddress/RemoteAddress pair starting at `at` (a `",LocalAddress="`), if the rest of the entry fits the type's tail. */
function candidateAt(text: string, at: number, tail: readonly TailIe[]): Candidate | null {
  const ls = at + LOCAL.length;
  const lq = text.indexOf('"', ls);
  if (lq < 0 || !text.startsWith(',RemoteAddress="', lq + 1) || !isFamily(text, ls)) return null;
  const rs = lq + 17;
  const rq = text.indexOf('"', rs);
  if (rq < 0 || !isFamily(text, rs)) return null;
  if (!matchTail(text, rq + 1, text.length, tail, 0)) return null;
  return { localStart: at, remote: securityAddressAt(text, rs, rq), local: localAddressAt(text, ls, lq) };
}

/** The trusted head of the entry being parsed, filled in place (one per module: parsing is synchronous). */
const head = { typeEnd: 0, eventTvStart: 0, eventTvEnd: 0, serviceStart: 0, serviceEnd: 0, pos: 0 };

/** Where the head breaks at `p`, expecting `key`: `truncated` if the text ends inside the key, else `malformed`. */
const headFailure = (text: string, p: number, key: string): SecurityFailure => (p + key.length > text.length && key.startsWith(text.slice(p)) ? fail('truncated', true) : fail('malformed', false));

/** Reads the trusted head (EventTV, Severity, Service, EventVersion) into `head`; null when it is sound. */
function readHead(text: string, start: number): SecurityFailure | null {
  let q = text.indexOf('"', start + MARKER.length);
  if (q < 0) return fail('truncated', true);
  head.typeEnd = q;
  if (!text.startsWith(',EventTV="', q + 1)) return headFailure(text, q + 1, ',EventTV="');
  head.eventTvStart = q + 11;
  q = text.indexOf('"', q + 11);
  if (q < 0) return fail('truncated', true);
  head.eventTvEnd = q;
  if (!text.startsWith(',Severity="', q + 1)) return headFailure(text, q + 1, ',Severity="');
  q = text.indexOf('"', q + 12);
  if (q < 0) return fail('truncated', true);
  if (!text.startsWith(',Service="', q + 1)) return headFailure(text, q + 1, ',Service="');
  head.serviceStart = q + 11;
  q = text.indexOf('"', q + 11);
  if (q < 0) return fail('truncated', true);
  head.serviceEnd = q;
  if (!text.startsWith(',EventVersion="', q + 1)) return headFailure(text, q + 1, ',EventVersion="');
  q = text.indexOf('"', q + 16);
  if (q < 0) return fail('truncated', true);
  head.pos = q + 1;
  return null;
}

/**
 * Parses the res_security_log entry that starts at `start` (the `SecurityEvent="` marker) and runs to the end of
 * `text` (one physical line, or several joined with `\n`). The remote address is taken only where the structure
 * puts it: every `",LocalAddress="` is a candidate, kept only if the text after its RemoteAddress is exactly the
 * IEs the event type allows; two kept candidates with different addresses make the entry ambiguous.
 */
export function parseSecurityEntry(text: string, start: number): SecurityEntry | SecurityFailure {
  const bad = readHead(text, start);
  if (bad !== null) return bad;
  const known = shapeAt(text, start + MARKER.length, head.typeEnd);
  if (known === undefined) return fail('malformed', false);
  const { type, shape } = known;
  const service = serviceAt(text, head.serviceStart, head.serviceEnd);
  // ',AccountID="' and ',SessionID="' have the same length.
  const regionKey = 12;
  if (!(shape.accountFirst ? text.startsWith(',AccountID="', head.pos) : text.startsWith(',SessionID="', head.pos))) return fail(text.length - head.pos < regionKey ? 'truncated' : 'malformed', text.length - head.pos < regionKey);
  const valueStart = head.pos + regionKey;
  // Only the From user (AccountID) can hold a newline: Call-IDs, addresses and the tail cannot. So in an entry
  // joined from several physical lines, SessionID and everything after it lie after the last newline. (Only a
  // newline after valueStart matters, and most entries have none: the backward search is for those that do.)
  const lastNewline = text.indexOf('\n', valueStart) < 0 ? -1 : text.lastIndexOf('\n');
  let sessionStart = valueStart;
  if (shape.accountFirst) {
    const sep = text.indexOf(SESSION, Math.max(valueStart, lastNewline + 1));
    if (sep < 0) return fail('truncated', true);
    // The first separator gives the shortest AccountID: if even that one breaks the service's bounds, no split is valid.
    const max = MAX_ACCOUNT_BY_SERVICE.get(service);
    if (max !== undefined && sep - valueStart > max) return fail('malformed', false);
    if (SINGLE_LINE_ACCOUNT_SERVICES.has(service) && lastNewline >= valueStart) return fail('malformed', false);
    sessionStart = sep + SESSION.length;
  } else if (lastNewline >= valueStart) {
    return fail('malformed', false);
  }
  budget = TAIL_BUDGET;
  let first: Candidate | null = null;
  let agreeing = 0;
  for (let at = text.indexOf(LOCAL, Math.max(sessionStart, lastNewline + 1)); at >= 0; at = text.indexOf(LOCAL, at + 1)) {
    const c = candidateAt(text, at, shape.tail);
    if (budget < 0) return fail('ambiguous-address', false);
    if (c === null) continue;
    if (first === null) first = c;
    else if (c.remote === null || first.remote === null || c.remote.ip !== first.remote.ip || c.remote.port !== first.remote.port) return fail('ambiguous-address', false);
    agreeing++;
  }
  if (first === null) return fail(text.charCodeAt(text.length - 1) === 34 ? 'malformed' : 'truncated', true);
  if (first.remote === null) return fail('no-address', false);
  const unique = agreeing === 1;
  return {
    ok: true,
    type,
    time: parseEventTv(text, head.eventTvStart, head.eventTvEnd),
    service,
    account: unique && shape.accountFirst ? text.slice(valueStart, sessionStart - SESSION.length) : null,
    session: unique ? text.slice(sessionStart, first.localStart) : null,
    remote: first.remote,
    local: first.local,
  };
}
