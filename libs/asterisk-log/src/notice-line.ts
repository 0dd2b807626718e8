import type { RejectReason } from './parse-outcome';
import { hostPortAt, transportAt, type Endpoint } from './remote-address';
import type { EventSource, SecurityEventType } from './security-event';

/** A failure read from a NOTICE line of the main log (res_pjsip, chan_sip, chan_iax2, manager). */
export interface NoticeEntry {
  type: SecurityEventType;
  service: string;
  source: EventSource;
  remote: Endpoint;
  account: string | null;
  session: string | null;
}

/** Not a NOTICE we know (ignored), an entry, or a rejection. */
export type NoticeResult = NoticeEntry | RejectReason | null;

/** res_pjsip's reasons, from pjsip_distributor.c, mapped to the SecurityEvent the security log would carry. */
export const PJSIP_REASONS: ReadonlyMap<string, SecurityEventType> = new Map<string, SecurityEventType>([
  ['No matching endpoint found', 'InvalidAccountID'],
  ['Not match Endpoint ACL', 'FailedACL'],
  ['Not match Endpoint Contact ACL', 'FailedACL'],
  ['Failed to authenticate', 'ChallengeResponseFailed'],
  ['Error to authenticate', 'ChallengeResponseFailed'],
]);

/** chan_sip's registration failures. */
export const CHAN_SIP_REASONS: ReadonlyMap<string, SecurityEventType> = new Map<string, SecurityEventType>([
  ['Wrong password', 'InvalidPassword'],
  ['No matching peer found', 'InvalidAccountID'],
  ['Username/auth name mismatch', 'InvalidAccountID'],
  ['Device does not match ACL', 'FailedACL'],
  ['Not a local domain', 'RequestNotAllowed'],
  ['Peer is not supposed to register', 'RequestNotAllowed'],
  ['ACL error (permit/deny)', 'FailedACL'],
]);

/** AMI (manager.c) failures: the address opens the message, the username (attacker text) closes it. */
const AMI_PHRASES: ReadonlyArray<readonly [string, SecurityEventType]> = [
  [" failed to authenticate as '", 'InvalidPassword'],
  [" tried to authenticate with nonexistent user '", 'InvalidAccountID'],
  [" failed to pass IP ACL as '", 'FailedACL'],
];

const FAILED_FOR = "' failed for '";
const SUFFIX = / after \d{1,9} tries in \d{1,12} ms$/;
const EXTEN_REJECTED = "' rejected because extension not found in context '";
const CALL_FROM = "Call from '";

const entry = (type: SecurityEventType, service: string, source: EventSource, remote: Endpoint, account: string | null, session: string | null): NoticeEntry => ({ type, service, source, remote, account, session });

/** The user part of the SIP From at `line[start, end)` (`"x" <sip:100@host>` -> `100`); attacker text, informative only. */
function sipUser(line: string, start: number, end: number): string | null {
  const s = line.indexOf('sip:', start);
  if (s < 0 || s + 4 > end) return end > start ? line.slice(start, end) : null;
  let e = s + 4;
  for (let c = line.charCodeAt(e); e < end && c !== 64 && c !== 62 && c !== 59; c = line.charCodeAt(++e)); // @ > ;
  return e > s + 4 ? line.slice(s + 4, e) : null;
}

/** A reason list as arrays, with each reason's first character: most reasons are told apart without a string compare. */
interface Reasons {
  texts: string[];
  types: SecurityEventType[];
  firsts: number[];
}
const reasonList = (reasons: ReadonlyMap<string, SecurityEventType>): Reasons => ({ texts: [...reasons.keys()], types: [...reasons.values()], firsts: [...reasons.keys()].map((r) => r.charCodeAt(0)) });

/** The last occurrence of `what` starting in `[from, to]`, or -1; forward searches, cheaper in V8 than lastIndexOf. */
function lastBetween(line: string, what: string, from: number, to: number): number {
  let last = -1;
  for (let k = line.indexOf(what, from); k >= 0 && k <= to; k = line.indexOf(what, k + 1)) last = k;
  return last;
}

/** The reason that ends the line at `end` after `sep`: its type, with `sep`'s position in `reasonAt`; null if none. */
let reasonAt = -1;
function reasonAtEnd(line: string, end: number, sep: string, reasons: Reasons): SecurityEventType | null {
  for (let i = 0; i < reasons.texts.length; i++) {
    const reason = reasons.texts[i] as string;
    const at = end - reason.length - sep.length;
    if (at > 0 && line.charCodeAt(end - reason.length) === reasons.firsts[i] && line.startsWith(reason, end - reason.length) && line.startsWith(sep, at)) {
      reasonAt = at;
      return reasons.types[i] as SecurityEventType;
    }
  }
  return null;
}

const PJSIP = reasonList(PJSIP_REASONS);
const CHAN_SIP = reasonList(CHAN_SIP_REASONS);

/**
 * res_pjsip: `Request 'REGISTER' from '<from>' failed for '<addr>' (callid: <callid>) - <reason>[ after N tries in M ms]`.
 * From and callid are raw attacker text on both sides of the address: every `' failed for '` is a candidate and
 * two different candidates make the line ambiguous.
 */
function pjsipRequest(line: string, ms: number): NoticeResult {
  let fromStart: number;
  if (line.startsWith("Request '", ms)) {
    const close = line.indexOf("' from '", ms + 9);
    if (close < 0) return null;
    const space = line.indexOf(' ', ms + 9);
    if (space >= 0 && space < close) return null;
    fromStart = close + 8;
  } else if (line.startsWith("Request from '", ms)) fromStart = ms + 14;
  else return null;
  // The suffix ends with ' ms': only then is the backward search worth it.
  const after = line.endsWith(' ms') ? line.lastIndexOf(' after ') : -1;
  const end = after > fromStart && SUFFIX.test(line.slice(after)) ? after : line.length;
  const type = reasonAtEnd(line, end, ') - ', PJSIP);
  if (type === null) return 'malformed';
  const reasonStart = reasonAt;
  let best: Endpoint | null = null;
  let bestAt = -1;
  let callid = -1;
  let count = 0;
  for (let k = line.indexOf(FAILED_FOR, fromStart); k >= 0 && k < reasonStart; k = line.indexOf(FAILED_FOR, k + 1)) {
    const as = k + FAILED_FOR.length;
    const aq = line.indexOf("'", as);
    if (aq < 0 || !line.startsWith("' (callid: ", aq) || aq + 11 > reasonStart) continue;
    const remote = hostPortAt(line, as, aq);
    if (bestAt >= 0 && (remote === null || best === null || remote.ip !== best.ip || remote.port !== best.port)) return 'ambiguous-address';
    if (bestAt < 0) {
      best = remote;
      bestAt = k;
      callid = aq + 11;
    }
    count++;
  }
  if (bestAt < 0) return 'malformed';
  if (best === null) return 'no-address';
  const unique = count === 1;
  return entry(type, 'PJSIP', 'notice', best, unique ? sipUser(line, fromStart, bestAt) : null, unique ? line.slice(callid, reasonStart) : null);
}

/** chan_sip: `Registration from '<from>' failed for '<addr>' - <reason>`: nothing but trusted text after the address. */
function chanSipRegistration(line: string, ms: number): NoticeResult {
  if (!line.startsWith("Registration from '", ms)) return null;
  const type = reasonAtEnd(line, line.length, "' - ", CHAN_SIP);
  if (type === null) return 'malformed';
  const sep = reasonAt;
  const k = lastBetween(line, FAILED_FOR, ms + 19, sep);
  if (k < 0) return 'malformed';
  const remote = hostPortAt(line, k + FAILED_FOR.length, sep);
  return remote === null ? 'no-address' : entry(type, 'SIP', 'notice', remote, sipUser(line, ms + 19, k), null);
}

/** `(1.2.3.4:5060)` for chan_sip, `(UDP:[1.2.3.4]:5060)` or `(UDP:1.2.3.4:5060)` for PJSIP, at `line[start, end)`. */
function callAddress(line: string, start: number, end: number): Endpoint | null {
  const colon = line.indexOf(':', start);
  const transport = colon > start && colon < end ? transportAt(line, start, colon) : null;
  if (transport === null) return hostPortAt(line, start, end);
  const ep = hostPortAt(line, colon + 1, end);
  return ep === null ? null : { ip: ep.ip, port: ep.port, transport };
}

/** `Call from '<cid>' (<addr>) to extension '<exten>' rejected because extension not found in context '<ctx>'.` */
function callRejected(line: string, ms: number, callId: string | null): NoticeResult {
  if (!line.startsWith(CALL_FROM, ms)) return null;
  const anchor = lastBetween(line, EXTEN_REJECTED, 0, line.length);
  if (anchor < 0) return null;
  let best: Endpoint | null = null;
  let pjsip = false;
  for (let k = line.indexOf("' (", ms + 10); k >= 0 && k < anchor; k = line.indexOf("' (", k + 1)) {
    const close = line.indexOf(") to extension '", k + 3);
    if (close < 0 || close > anchor) break;
    const space = line.indexOf(' ', k + 3);
    const remote = space >= 0 && space < close ? null : callAddress(line, k + 3, close);
    if (remote === null) continue;
    if (best !== null && (remote.ip !== best.ip || remote.port !== best.port)) return 'ambiguous-address';
    best ??= remote;
    pjsip = remote.transport !== null;
  }
  if (best === null) return 'no-address';
  return entry('RequestNotAllowed', pjsip ? 'PJSIP' : 'SIP', 'notice', best, null, callId);
}

/** chan_iax2: `Host <ip> failed to authenticate as '<u>'`, `Host <ip> failed MD5 authentication for '<u>' (...)`, `No registration for peer '<u>' (from <ip>)`. */
function iax2(line: string, ms: number): NoticeResult {
  if (line.startsWith("No registration for peer '", ms)) {
    const k = lastBetween(line, "' (from ", 0, line.length);
    if (k < ms + 25 || line.charCodeAt(line.length - 1) !== 41) return 'malformed';
    const remote = hostPortAt(line, k + 8, line.length - 1);
    return remote === null ? 'no-address' : entry('InvalidAccountID', 'IAX2', 'notice', remote, line.slice(ms + 26, k), null);
  }
  if (!line.startsWith('Host ', ms)) return null;
  const sp = line.indexOf(' ', ms + 5);
  if (sp < 0) return null;
  let type: SecurityEventType;
  let accountEnd: number;
  let accountStart: number;
  if (line.startsWith(" failed to authenticate as '", sp)) {
    [type, accountStart, accountEnd] = ['InvalidPassword', sp + 28, line.length - 1];
  } else if (line.startsWith(" failed MD5 authentication for '", sp)) {
    // The parenthesis holds the expected and received MD5: never copied anywhere.
    [type, accountStart, accountEnd] = ['ChallengeResponseFailed', sp + 32, lastBetween(line, "' (", 0, line.length)];
  } else return null;
  const remote = hostPortAt(line, ms + 5, sp);
  if (remote === null) return 'no-address';
  return entry(type, 'IAX2', 'notice', remote, accountEnd >= accountStart ? line.slice(accountStart, accountEnd) : null, null);
}

/** manager.c: `<ip> failed to authenticate as '<u>'` and the like (IPv6 unbracketed, no port). */
function ami(line: string, ms: number): NoticeResult {
  const sp = line.indexOf(' ', ms);
  if (sp < 0 || sp - ms > 45) return null;
  for (const [phrase, type] of AMI_PHRASES) {
    if (!line.startsWith(phrase, sp)) continue;
    const remote = hostPortAt(line, ms, sp);
    if (remote === null) return 'no-address';
    const last = line.length - 1;
    return entry(type, 'AMI', 'ami', remote, line.charCodeAt(last) === 39 ? line.slice(sp + phrase.length, last) : null, null);
  }
  return null;
}

/**
 * False when the message at `text[ms]` is certainly none of the failures {@link parseNotice} knows (it would return
 * null); true when it may be one. For the commonest NOTICE of a PBX, res_pjsip's `Contact ... is now Reachable`.
 */
export const mayBeFailureNotice = (text: string, ms: number): boolean => text.charCodeAt(ms) !== 67 || text.startsWith(CALL_FROM, ms);

/** Reads the message of a NOTICE line starting at `ms`. Null when it is none of the failures we know. */
export function parseNotice(line: string, ms: number, callId: string | null): NoticeResult {
  switch (line.charCodeAt(ms)) {
    case 82: return pjsipRequest(line, ms) ?? chanSipRegistration(line, ms); // R
    case 67: return callRejected(line, ms, callId); // C
    case 72: case 78: return iax2(line, ms); // H, N
    default: return ami(line, ms);
  }
}
