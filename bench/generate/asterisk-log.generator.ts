/**
 * A deterministic generator of realistic, mixed Asterisk logs, for benchmarks and load tests: res_security_log
 * lines of all 15 types (PJSIP, SIP, IAX2, AMI), the NOTICE failures of res_pjsip, chan_sip, chan_iax2 and the
 * manager, everyday noise (VERBOSE, DEBUG, WARNING, harmless NOTICEs), banners, and a few hostile lines. The same
 * seed gives the same lines.
 */

export type PrefixStyle = 'bsd' | 'iso' | 'mixed';

export interface GeneratorOptions {
  seed: number;
  lines: number;
  /** Epoch ms of the first line; each line advances the clock by 0-40 ms. */
  start?: number;
  /** `bsd` is Asterisk's default `[Nov 29 14:21:18]`, `iso` is `[2026-11-29 14:21:18]`. Default `bsd`. */
  prefix?: PrefixStyle;
  /** Share of lines that are security-relevant (security log or failure NOTICE). Default 0.3. */
  relevantShare?: number;
}

/** mulberry32: tiny, fast, and good enough to pick log lines. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function prefixDate(t: number, style: 'bsd' | 'iso'): string {
  const d = new Date(t);
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  if (style === 'iso') return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${time}`;
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time}`;
}

const isoTv = (t: number): string => `${new Date(t).toISOString().slice(0, 23)}+0000`;

type Pick = <T>(items: readonly T[]) => T;

interface Ctx {
  t: number;
  r: () => number;
  pick: Pick;
  ip: () => string;
  style: 'bsd' | 'iso';
}

const TYPES = [
  ['InvalidAccountID', 30], ['ChallengeResponseFailed', 15], ['InvalidPassword', 15], ['ChallengeSent', 15], ['SuccessfulAuth', 8],
  ['FailedACL', 5], ['RequestNotAllowed', 3], ['RequestBadFormat', 2], ['RequestNotSupported', 2], ['AuthMethodNotAllowed', 1],
  ['UnexpectedAddress', 1], ['InvalidTransport', 1], ['SessionLimit', 1], ['MemoryLimit', 1], ['LoadAverageLimit', 1],
] as const;
const TYPE_BAG = TYPES.flatMap(([name, weight]) => Array<string>(weight).fill(name));

function tail(type: string, c: Ctx): string {
  const n = (): string => hex(Math.floor(c.r() * 2 ** 32), 8);
  switch (type) {
    case 'FailedACL': return c.r() < 0.5 ? ',ACLName="acl_office"' : '';
    case 'RequestNotSupported': return ',RequestType="SUBSCRIBE"';
    case 'RequestNotAllowed': return ',RequestType="INVITE",RequestParams="x=1"';
    case 'AuthMethodNotAllowed': return ',AuthMethod="plaintext"';
    case 'RequestBadFormat': return ',RequestType="Login",AccountID="root"';
    case 'SuccessfulAuth': return ',UsingPassword="1"';
    case 'UnexpectedAddress': return ',ExpectedAddress="IPV4/UDP/192.0.2.21/5060"';
    case 'ChallengeResponseFailed': return `,Challenge="${n()}",Response="${n()}${n()}",ExpectedResponse="${n()}${n()}"`;
    case 'InvalidPassword': return c.r() < 0.5 ? `,Challenge="${n()}",ReceivedChallenge="${n()}",ReceivedHash="${n()}${n()}"` : '';
    case 'ChallengeSent': return `,Challenge="${n()}"`;
    case 'InvalidTransport': return ',AttemptedTransport="TCP"';
    default: return '';
  }
}

function securityLine(c: Ctx): string {
  const type = c.pick(TYPE_BAG);
  const service = c.pick(['PJSIP', 'PJSIP', 'PJSIP', 'SIP', 'IAX2', 'AMI']);
  const ip = c.ip();
  const fam = ip.includes(':') ? 'IPV6' : 'IPV4';
  const transport = service === 'AMI' ? 'TCP' : c.pick(['UDP', 'UDP', 'UDP', 'TCP', 'TLS', 'WS']);
  const port = service === 'AMI' ? 30000 + Math.floor(c.r() * 30000) : 5060;
  const account = c.pick(['100', '101', 'admin', '<unknown>', '', 'sip:1000@192.0.2.10', '00972599580679']);
  const session = service === 'PJSIP' ? `${hex(Math.floor(c.r() * 2 ** 32), 8)}-${hex(Math.floor(c.r() * 65536), 4)}@192.0.2.10` : `0x${hex(Math.floor(c.r() * 2 ** 40), 10)}`;
  const tv = c.r() < 0.8 ? isoTv(c.t) : `${Math.floor(c.t / 1000)}-${String((c.t % 1000) * 1000).padStart(6, '0')}`;
  const severity = type === 'SuccessfulAuth' || type === 'ChallengeSent' ? 'Informational' : 'Error';
  const local = `${fam}/${transport}/${fam === 'IPV6' ? '2001:db8::1' : '192.0.2.10'}/${service === 'AMI' ? 5038 : 5060}`;
  const ids = type === 'RequestBadFormat' ? `SessionID="${session}"` : `AccountID="${account}",SessionID="${session}"`;
  const sessionTv = service === 'AMI' ? `,SessionTV="${isoTv(c.t - 1000)}"` : '';
  return `[${prefixDate(c.t, c.style)}] SECURITY[${14000 + Math.floor(c.r() * 500)}] res_security_log.c: SecurityEvent="${type}",EventTV="${tv}",Severity="${severity}",Service="${service}",EventVersion="${c.pick(['1', '1', '2'])}",${ids},LocalAddress="${local}",RemoteAddress="${fam}/${transport}/${ip}/${port}"${tail(type, c)}${sessionTv}`;
}

function noticeLine(c: Ctx): string {
  const ip = c.ip();
  const hp = ip.includes(':') ? `[${ip}]:5060` : `${ip}:${5060 + Math.floor(c.r() * 100)}`;
  const user = c.pick(['100', '1000', 'admin', 'test', '2001']);
  const callid = `${hex(Math.floor(c.r() * 2 ** 32), 8)}-${hex(Math.floor(c.r() * 2 ** 16), 4)}`;
  const p = `[${prefixDate(c.t, c.style)}] NOTICE[${19000 + Math.floor(c.r() * 500)}]`;
  switch (Math.floor(c.r() * 8)) {
    case 0: case 1: return `${p} res_pjsip/pjsip_distributor.c:676 log_failed_request: Request '${c.pick(['REGISTER', 'INVITE', 'OPTIONS'])}' from '"${user}" <sip:${user}@192.0.2.10>' failed for '${hp}' (callid: ${callid}) - ${c.pick(['No matching endpoint found', 'No matching endpoint found', 'Failed to authenticate', 'Not match Endpoint ACL', 'Error to authenticate'])}${c.r() < 0.3 ? ` after ${1 + Math.floor(c.r() * 5)} tries in ${Math.floor(c.r() * 40)} ms` : ''}`;
    case 2: return `${p} chan_sip.c: Registration from '<sip:${user}@192.0.2.10>' failed for '${hp}' - ${c.pick(['Wrong password', 'No matching peer found', 'Username/auth name mismatch', 'Device does not match ACL', 'Not a local domain', 'Peer is not supposed to register', 'ACL error (permit/deny)'])}`;
    case 3: return `[${prefixDate(c.t, c.style)}] NOTICE[3477][C-${hex(Math.floor(c.r() * 2 ** 32), 8)}] chan_sip.c: Call from '' (${hp}) to extension '011${Math.floor(c.r() * 1e9)}' rejected because extension not found in context 'default'.`;
    case 4: return `${p} chan_iax2.c: ${c.pick([`Host ${ip} failed to authenticate as '${user}'`, `No registration for peer '${user}' (from ${ip})`])}`;
    case 5: return `${p} manager.c: ${ip} ${c.pick([`failed to authenticate as '${user}'`, `tried to authenticate with nonexistent user '${user}'`, `failed to pass IP ACL as '${user}'`])}`;
    case 6: return `${p} res_pjsip_session.c:3500 new_invite: Call from '${user}' (UDP:[${ip}]:5060) to extension '00${Math.floor(c.r() * 1e9)}' rejected because extension not found in context 'from-external'.`;
    default: return `${p} res_pjsip/pjsip_distributor.c:676 log_failed_request: Request 'REGISTER' from '<sip:${user}@192.0.2.10>' failed for '${hp}' (callid: ${callid}) - No matching endpoint found`;
  }
}

function noiseLine(c: Ctx): string {
  const d = prefixDate(c.t, c.style);
  const ch = `C-${hex(Math.floor(c.r() * 4096), 8)}`;
  switch (Math.floor(c.r() * 8)) {
    case 0: case 1: case 2: return `[${d}] VERBOSE[${2000 + Math.floor(c.r() * 99)}][${ch}] pbx.c: Executing [s@default:${1 + Math.floor(c.r() * 9)}] ${c.pick(['Answer', 'Playback', 'Dial', 'NoOp', 'Hangup'])}("PJSIP/${c.pick(['100', '101', '102'])}-0000${hex(Math.floor(c.r() * 4096), 4)}", "") in new stack`;
    case 3: return `[${d}] DEBUG[${2000 + Math.floor(c.r() * 99)}] res_pjsip_session.c: Sending response 200 OK for ${hex(Math.floor(c.r() * 2 ** 32), 8)}`;
    case 4: return `[${d}] WARNING[1638] chan_sip.c: Retransmission timeout reached on transmission ${hex(Math.floor(c.r() * 2 ** 32), 8)} for seqno 1 (Critical Response) -- See https://wiki.asterisk.org/wiki/display/AST/SIP+Retransmissions`;
    case 5: return `[${d}] NOTICE[1638] res_pjsip/pjsip_options.c:300 qualify_contact_cb: Contact ${c.pick(['100', '101'])}/sip:${c.pick(['100', '101'])}@192.0.2.20:5060 is now ${c.pick(['Reachable', 'Unreachable'])}. RTT: ${(c.r() * 50).toFixed(3)} msec`;
    case 6: return `[${d}] VERBOSE[2011] asterisk.c:   == Using SIP RTP CoS mark 5`;
    default: return `[${d}] VERBOSE[2012][${ch}] app_dial.c: PJSIP/trunk-0000${hex(Math.floor(c.r() * 4096), 4)} is ringing`;
  }
}

/** Forged fields of the kinds issue 2 lists; 203.0.113.66 plays the victim. */
function hostileLine(c: Ctx): string {
  const ip = c.ip();
  const d = prefixDate(c.t, c.style);
  return c.pick([
    `[${d}] SECURITY[14302] res_security_log.c: SecurityEvent="InvalidAccountID",EventTV="${isoTv(c.t)}",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="100",SessionID="x",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/203.0.113.66/5060",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/${ip}/5060"`,
    `[${d}] NOTICE[19388] res_pjsip/pjsip_distributor.c:676 log_failed_request: Request 'REGISTER' from '"x' failed for '203.0.113.66:5060' (callid: y) - No matching endpoint found" <sip:1@x>' failed for '${ip}:5060' (callid: c) - No matching endpoint found`,
    `[${d}] NOTICE[22382] manager.c: ${ip} failed to authenticate as '203.0.113.66 failed to authenticate as 'x'`,
  ]);
}

const BANNER = 'Asterisk 22.10.1 built by root @ pbx on a x86_64 running Linux on 2026-11-01 10:00:00 UTC';

/** Yields `lines` log lines (without newline). */
export function* generateAsteriskLog(options: GeneratorOptions): Generator<string> {
  const r = rng(options.seed);
  const pick: Pick = (items) => items[Math.floor(r() * items.length)] as (typeof items)[number];
  const pool = Array.from({ length: 2000 }, (_, i) => (i % 10 === 9 ? `2001:db8:${hex(Math.floor(r() * 65536), 1)}::${hex(1 + Math.floor(r() * 65535), 1)}` : `${pick([198, 203, 185, 45, 91])}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`));
  const style = options.prefix ?? 'bsd';
  const c: Ctx = { t: options.start ?? Date.UTC(2026, 10, 29, 12), r, pick, ip: () => pick(pool), style: style === 'mixed' ? 'bsd' : style };
  const relevant = options.relevantShare ?? 0.3;
  for (let i = 0; i < options.lines; i++) {
    c.t += Math.floor(r() * 40);
    if (style === 'mixed') c.style = r() < 0.5 ? 'bsd' : 'iso';
    const x = r();
    if (i % 200_000 === 0) yield BANNER;
    else if (x < relevant * 0.55) yield securityLine(c);
    else if (x < relevant * 0.99) yield noticeLine(c);
    else if (x < relevant) yield hostileLine(c);
    else yield noiseLine(c);
  }
}
