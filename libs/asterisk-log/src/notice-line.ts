import type { RejectReason } from './parse-outcome';
import { parseHostPort, type Endpoint } from './remote-address';
import { TRANSPORTS, type EventSource, type SecurityEventType, type Transport } from './security-event';

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
const TRANSPORT_SET: ReadonlySet<string> = new Set(TRANSPORTS);

const entry = (type: SecurityEventType, service: string, source: EventSource, remote: Endpoint, account: string | null, session: string | null): NoticeEntry => ({ type, service, source, remote, account, session });

/** The user part of a SIP From (`"x" <sip:100@host>` -> `100`); attacker text, informative only. */
function sipUser(from: string): string | null {
  const s = from.indexOf('sip:');
  if (s < 0) return from.length > 0 ? from : null;
  let e = s + 4;
  while (e < from.length && from[e] !== '@' && from[e] !== '>' && from[e] !== ';') e++;
  return from.slice(s + 4, e) || null;
}

/** The reason that ends the line after `sep`, and where `sep` starts, or null. */
function reasonAtEnd(line: string, end: number, sep: string, reasons: ReadonlyMap<string, SecurityEventType>): [SecurityEventType, number] | null {
  for (const [reason, type] of reasons) {
    const at = end - reason.length - sep.length;
    if (at > 0 && line.startsWith(reason, end - reason.length) && line.startsWith(sep, at)) return [type, at];
  }
  return null;
}

/**
 * res_pjsip: `Request 'REGISTER' from '<from>' failed for '<addr>' (callid: <callid>) - <reason>[ after N tries in M ms]`.
 * From and callid are raw attacker text on both sides of the address: every `' failed for '` is a candidate and
 * two different candidates make the line ambiguous.
 */
function pjsipRequest(line: string, ms: number): NoticeResult {
  let fromStart: number;
  if (line.startsWith("Request '", ms)) {
    const close = line.indexOf("' from '", ms + 9);
    if (close < 0 || line.lastIndexOf(' ', close) > ms + 8) return null;
    fromStart = close + 8;
  } else if (line.startsWith("Request from '", ms)) fromStart = ms + 14;
  else return null;
  const after = line.lastIndexOf(' after ');
  const end = after > fromStart && SUFFIX.test(line.slice(after)) ? after : line.length;
  const found = reasonAtEnd(line, end, ') - ', PJSIP_REASONS);
  if (found === null) return 'malformed';
  const [type, reasonAt] = found;
  let best: { remote: Endpoint | null; at: number; callid: number } | null = null;
  let count = 0;
  for (let k = line.indexOf(FAILED_FOR, fromStart); k >= 0 && k < reasonAt; k = line.indexOf(FAILED_FOR, k + 1)) {
    const as = k + FAILED_FOR.length;
    const aq = line.indexOf("'", as);
    if (aq < 0 || !line.startsWith("' (callid: ", aq) || aq + 11 > reasonAt) continue;
    const remote = parseHostPort(line.slice(as, aq));
    if (best !== null && (remote === null || best.remote === null || remote.ip !== best.remote.ip || remote.port !== best.remote.port)) return 'ambiguous-address';
    best ??= { remote, at: k, callid: aq + 11 };
    count++;
  }
  if (best === null) return 'malformed';
  if (best.remote === null) return 'no-address';
  const unique = count === 1;
  return entry(type, 'PJSIP', 'notice', best.remote, unique ? sipUser(line.slice(fromStart, best.at)) : null, unique ? line.slice(best.callid, reasonAt) : null);
}

/** chan_sip: `Registration from '<from>' failed for '<addr>' - <reason>`: nothing but trusted text after the address. */
function chanSipRegistration(line: string, ms: number): NoticeResult {
  if (!line.startsWith("Registration from '", ms)) return null;
  const found = reasonAtEnd(line, line.length, "' - ", CHAN_SIP_REASONS);
  if (found === null) return 'malformed';
  const k = line.lastIndexOf(FAILED_FOR, found[1]);
  if (k < ms + 19) return 'malformed';
  const remote = parseHostPort(line.slice(k + FAILED_FOR.length, found[1]));
  return remote === null ? 'no-address' : entry(found[0], 'SIP', 'notice', remote, sipUser(line.slice(ms + 19, k)), null);
}

/** `(1.2.3.4:5060)` for chan_sip, `(UDP:[1.2.3.4]:5060)` or `(UDP:1.2.3.4:5060)` for PJSIP. */
function callAddress(text: string): Endpoint | null {
  const colon = text.indexOf(':');
  const head = colon > 0 ? text.slice(0, colon).toUpperCase() : '';
  if (TRANSPORT_SET.has(head)) {
    const ep = parseHostPort(text.slice(colon + 1));
    return ep === null ? null : { ...ep, transport: head as Transport };
  }
  return parseHostPort(text);
}

/** `Call from '<cid>' (<addr>) to extension '<exten>' rejected because extension not found in context '<ctx>'.` */
function callRejected(line: string, ms: number, callId: string | null): NoticeResult {
  if (!line.startsWith("Call from '", ms)) return null;
  const anchor = line.lastIndexOf(EXTEN_REJECTED);
  if (anchor < 0) return null;
  let best: Endpoint | null = null;
  let pjsip = false;
  for (let k = line.indexOf("' (", ms + 10); k >= 0 && k < anchor; k = line.indexOf("' (", k + 1)) {
    const close = line.indexOf(") to extension '", k + 3);
    if (close < 0 || close > anchor) break;
    const text = line.slice(k + 3, close);
    const remote = text.includes(' ') ? null : callAddress(text);
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
    const k = line.lastIndexOf("' (from ");
    if (k < ms + 25 || line.charCodeAt(line.length - 1) !== 41) return 'malformed';
    const remote = parseHostPort(line.slice(k + 8, line.length - 1));
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
    [type, accountStart, accountEnd] = ['ChallengeResponseFailed', sp + 32, line.lastIndexOf("' (")];
  } else return null;
  const remote = parseHostPort(line.slice(ms + 5, sp));
  if (remote === null) return 'no-address';
  return entry(type, 'IAX2', 'notice', remote, accountEnd >= accountStart ? line.slice(accountStart, accountEnd) : null, null);
}

/** manager.c: `<ip> failed to authenticate as '<u>'` and the like (IPv6 unbracketed, no port). */
function ami(line: string, ms: number): NoticeResult {
  const sp = line.indexOf(' ', ms);
  if (sp < 0 || sp - ms > 45) return null;
  for (const [phrase, type] of AMI_PHRASES) {
    if (!line.startsWith(phrase, sp)) continue;
    const remote = parseHostPort(line.slice(ms, sp));
    if (remote === null) return 'no-address';
    const last = line.length - 1;
    return entry(type, 'AMI', 'ami', remote, line.charCodeAt(last) === 39 ? line.slice(sp + phrase.length, last) : null, null);
  }
  return null;
}

/** Reads the message of a NOTICE line starting at `ms`. Null when it is none of the failures we know. */
export function parseNotice(line: string, ms: number, callId: string | null): NoticeResult {
  switch (line.charCodeAt(ms)) {
    case 82: return pjsipRequest(line, ms) ?? chanSipRegistration(line, ms); // R
    case 67: return callRejected(line, ms, callId); // C
    case 72: case 78: return iax2(line, ms); // H, N
    default: return ami(line, ms);
  }
}
