import type { RejectReason } from './parse-outcome';
import { localAddress, parseSecurityAddress, type Endpoint } from './remote-address';
import { EVENT_SHAPES, MAX_ACCOUNT_BY_SERVICE, SINGLE_LINE_ACCOUNT_SERVICES, type TailIe } from './security-shapes';
import type { SecurityEventType } from './security-event';

/** A security-log entry read by structure. `time` is the EventTV text (parsed by the caller). */
export interface SecurityEntry {
  ok: true;
  type: SecurityEventType;
  eventTv: string;
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
const HEAD = [',EventTV="', ',Severity="', ',Service="', ',EventVersion="'] as const;
const LOCAL = '",LocalAddress="';
const SESSION = '",SessionID="';
const REMOTE = ',RemoteAddress="';
/** Steps of tail matching allowed per entry: attacker text full of `",` must not buy unbounded work. */
const TAIL_BUDGET = 20_000;

const fail = (reason: RejectReason, incomplete: boolean): SecurityFailure => ({ ok: false, reason, incomplete });

/** Matching steps left for the entry being parsed (module state: parsing is synchronous and never re-entered). */
let budget = 0;

/**
 * Whether `text[pos, end)` is exactly the IEs of `tail` from index `i` on, in order, optional ones skippable.
 * An untrusted value may contain `",`: every closing quote followed by `,` (or the end) is tried.
 */
function matchTail(text: string, pos: number, end: number, tail: readonly TailIe[], i: number): boolean {
  if (--budget < 0) return false;
  if (pos === end) return tail.slice(i).every((t) => !t.required);
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

/** `IPV4/` or `IPV6/` at pos. */
const isFamily = (text: string, pos: number): boolean => text.startsWith('IPV', pos) && (text.charCodeAt(pos + 3) === 52 || text.charCodeAt(pos + 3) === 54) && text.charCodeAt(pos + 4) === 47;

interface Candidate {
  localStart: number;
  remote: Endpoint | null;
  local: string | null;
}

/** The LocalAddress/RemoteAddress pair starting at `at` (a `",LocalAddress="`), if the rest of the entry fits the type's tail. */
function candidateAt(text: string, at: number, tail: readonly TailIe[]): Candidate | null {
  const ls = at + LOCAL.length;
  const lq = text.indexOf('"', ls);
  if (lq < 0 || !text.startsWith(REMOTE, lq + 1) || !isFamily(text, ls)) return null;
  const rs = lq + 1 + REMOTE.length;
  const rq = text.indexOf('"', rs);
  if (rq < 0 || !isFamily(text, rs)) return null;
  if (!matchTail(text, rq + 1, text.length, tail, 0)) return null;
  return { localStart: at, remote: parseSecurityAddress(text.slice(rs, rq)), local: localAddress(text.slice(ls, lq)) };
}

interface Head {
  type: string;
  eventTv: string;
  service: string;
  pos: number;
}

/** Reads the trusted head (EventTV, Severity, Service, EventVersion): the type, EventTV, Service and the position after it. */
function readHead(text: string, start: number): Head | SecurityFailure {
  let q = text.indexOf('"', start + MARKER.length);
  if (q < 0) return fail('truncated', true);
  const type = text.slice(start + MARKER.length, q);
  let eventTv = '';
  let service = '';
  let p = q + 1;
  for (let k = 0; k < HEAD.length; k++) {
    const key = HEAD[k] as string;
    if (!text.startsWith(key, p)) return p + key.length > text.length && key.startsWith(text.slice(p)) ? fail('truncated', true) : fail('malformed', false);
    q = text.indexOf('"', p + key.length);
    if (q < 0) return fail('truncated', true);
    if (k === 0) eventTv = text.slice(p + key.length, q);
    else if (k === 2) service = text.slice(p + key.length, q);
    p = q + 1;
  }
  return { type, eventTv, service, pos: p };
}

/**
 * Parses the res_security_log entry that starts at `start` (the `SecurityEvent="` marker) and runs to the end of
 * `text` (one physical line, or several joined with `\n`). The remote address is taken only where the structure
 * puts it: every `",LocalAddress="` is a candidate, kept only if the text after its RemoteAddress is exactly the
 * IEs the event type allows; two kept candidates with different addresses make the entry ambiguous.
 */
export function parseSecurityEntry(text: string, start: number): SecurityEntry | SecurityFailure {
  const head = readHead(text, start);
  if ('ok' in head) return head;
  const shape = EVENT_SHAPES.get(head.type);
  if (shape === undefined) return fail('malformed', false);
  const service = head.service;
  const regionKey = shape.accountFirst ? ',AccountID="' : ',SessionID="';
  if (!text.startsWith(regionKey, head.pos)) return fail(text.length - head.pos < regionKey.length ? 'truncated' : 'malformed', text.length - head.pos < regionKey.length);
  const valueStart = head.pos + regionKey.length;
  // Only the From user (AccountID) can hold a newline: Call-IDs, addresses and the tail cannot. So in an entry
  // joined from several physical lines, SessionID and everything after it lie after the last newline.
  const lastNewline = text.lastIndexOf('\n');
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
    type: head.type as SecurityEventType,
    eventTv: head.eventTv,
    service,
    account: unique && shape.accountFirst ? text.slice(valueStart, sessionStart - SESSION.length) : null,
    session: unique ? text.slice(sessionStart, first.localStart) : null,
    remote: first.remote,
    local: first.local,
  };
}
