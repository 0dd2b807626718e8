import { normalizeIp } from '@fleetban/ip';
import { flatCopy } from './flat-copy';
import { TRANSPORTS, type Transport } from './security-event';

/** A parsed address. */
export interface Endpoint {
  readonly ip: string;
  readonly port: number | null;
  readonly transport: Transport | null;
}

const cache = new Map<string, string | null>();
const TRANSPORT_SET: ReadonlySet<string> = new Set(TRANSPORTS);

/** normalizeIp with a bounded memo: attackers repeat their addresses, and normalizing allocates. */
export function canonicalIp(text: string): string | null {
  let ip = cache.get(text);
  if (ip === undefined) {
    ip = text.length > 45 ? null : normalizeIp(text);
    if (cache.size >= 4096) cache.clear();
    cache.set(flatCopy(text), ip);
  }
  return ip;
}

/** The key of the last dotted quad {@link isCanonicalQuad} accepted: its four octets as one 32-bit integer. */
let quadKey = 0;

/**
 * Whether `text[start, end)` is a dotted quad written exactly as normalizeIp accepts one (four octets 0-255, no
 * leading zero), i.e. already canonical; its value is then in `quadKey`.
 */
function isCanonicalQuad(text: string, start: number, end: number): boolean {
  let p = start;
  let key = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (p >= end || text.charCodeAt(p) !== 46) return false;
      p++;
    }
    if (p >= end) return false;
    let v = text.charCodeAt(p) - 48;
    if (v < 0 || v > 9) return false;
    p++;
    // A leading 0 is the whole octet.
    if (v !== 0) {
      for (let n = 1; n < 3 && p < end; n++, p++) {
        const c = text.charCodeAt(p) - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (v > 255) return false;
    }
    key = (key << 8) | v;
  }
  quadKey = key;
  return p === end;
}

/**
 * Canonical IPv4 texts by value, one string for every event of an address: a string computes its hash once and
 * equal keys compare by identity, in the Maps of the report and of the ban engine, where a fresh slice of the line
 * would be hashed and compared again for every event (several times slower, measured) and keep its block alive.
 */
const quads = new Map<number, string>();

/** The canonical address written at `text[start, end)`, or null when it is not exactly one IP address. */
export function canonicalIpAt(text: string, start: number, end: number): string | null {
  if (!isCanonicalQuad(text, start, end)) return canonicalIp(text.slice(start, end));
  const key = quadKey;
  let ip = quads.get(key);
  if (ip === undefined) {
    ip = flatCopy(text.slice(start, end));
    if (quads.size >= 65_536) quads.clear();
    quads.set(key, ip);
  }
  return ip;
}

/** Decimal port 0-65535 at `text[start, end)` (1 to 5 digits), or null. */
export function portAt(text: string, start: number, end: number): number | null {
  const n = end - start;
  if (n <= 0 || n > 5) return null;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return v <= 65535 ? v : null;
}

/** The transport segment `text[start, end)`, upper-cased as Asterisk's parser would, or null if none we know. */
export function transportAt(text: string, start: number, end: number): Transport | null {
  // TRANSPORTS written out: V8 inlines startsWith only for a literal.
  const n = end - start;
  if (n === 3) {
    if (text.startsWith('UDP', start)) return 'UDP';
    if (text.startsWith('TCP', start)) return 'TCP';
    if (text.startsWith('TLS', start)) return 'TLS';
    if (text.startsWith('WSS', start)) return 'WSS';
  } else if (n === 2 && text.startsWith('WS', start)) return 'WS';
  if (n === 0) return null;
  // Lower case and the odd Unicode letter that upper-cases to ASCII (U+017F is 'S'): the slow, exact way.
  const upper = text.slice(start, end).toUpperCase();
  return TRANSPORT_SET.has(upper) ? (upper as Transport) : null;
}

/** `IPV4/` or `IPV6/` at pos. */
export const isFamily = (text: string, pos: number): boolean => text.startsWith('IPV', pos) && (text.charCodeAt(pos + 3) === 52 || text.charCodeAt(pos + 3) === 54) && text.charCodeAt(pos + 4) === 47;

/**
 * res_security_log's address at `text[start, end)`: `IPV4/UDP/1.2.3.4/5060`, `IPV6/TCP/2001:db8::10/5060` (no
 * brackets), transport segment optional (`IPV4/1.2.3.4/5060`, `IPV4//1.2.3.4/5060`). Null when it is not exactly
 * that shape. Read in place: this runs on every security line.
 */
export function securityAddressAt(text: string, start: number, end: number): Endpoint | null {
  if (end - start < 5 || !isFamily(text, start)) return null;
  // The port is the end: walk back to its slash rather than call lastIndexOf (a costly runtime call in V8).
  let last = end - 1;
  while (text.charCodeAt(last) !== 47) last--;
  const p = portAt(text, last + 1, end);
  if (p === null || last <= start + 5) return null;
  const slash = text.indexOf('/', start + 5);
  const hasTransport = slash < last;
  const ip = canonicalIpAt(text, hasTransport ? slash + 1 : start + 5, last);
  if (ip === null) return null;
  return { ip, port: p, transport: hasTransport ? transportAt(text, start + 5, slash) : null };
}

/** {@link securityAddressAt} on a whole string. */
export const parseSecurityAddress = (value: string): Endpoint | null => securityAddressAt(value, 0, value.length);

/**
 * `1.2.3.4`, `1.2.3.4:5060`, `[2001:db8::1]:5060`, `[2001:db8::1]`, bare `2001:db8::1` at `text[start, end)`;
 * transport left null.
 */
export function hostPortAt(text: string, start: number, end: number): Endpoint | null {
  if (start < end && text.charCodeAt(start) === 91) {
    const close = text.indexOf(']', start);
    if (close < 0 || close >= end) return null;
    const ip = canonicalIp(text.slice(start + 1, close));
    if (ip === null) return null;
    if (close === end - 1) return { ip, port: null, transport: null };
    if (text.charCodeAt(close + 1) !== 58) return null;
    const p = portAt(text, close + 2, end);
    return p === null ? null : { ip, port: p, transport: null };
  }
  let colon = text.indexOf(':', start);
  if (colon >= end) colon = -1;
  if (colon >= 0) {
    const other = text.indexOf(':', colon + 1);
    if (other < 0 || other >= end) {
      const ip = canonicalIpAt(text, start, colon);
      const p = portAt(text, colon + 1, end);
      return ip === null || p === null ? null : { ip, port: p, transport: null };
    }
  }
  const ip = canonicalIpAt(text, start, end);
  return ip === null ? null : { ip, port: null, transport: null };
}

/** {@link hostPortAt} on a whole string. */
export const parseHostPort = (text: string): Endpoint | null => hostPortAt(text, 0, text.length);

const locals = new Map<string, string | null>();
/**
 * The last LocalAddress texts seen (flat copies) and their forms. A PBX has a few (an address per transport and
 * family), and comparing the line with each in place costs less than slicing and hashing the text of every line.
 */
const RECENT = 16;
const recentRaw: string[] = [];
const recentProbe: number[] = [];
const recentFormatted: Array<string | null> = [];
let recentNext = 0;

/** A few characters that tell a PBX's local addresses apart (family, transport, port), so most are ruled out without a string compare. */
const probeAt = (text: string, start: number, end: number): number => text.charCodeAt(start + 3) + text.charCodeAt(start + 6) * 256 + text.charCodeAt(end - 1) * 65_536 + text.charCodeAt(end - 2) * 16_777_216;

/** The security log's LocalAddress at `text[start, end)` as SecurityEvent.localAddress (`ip:port`, `[v6]:port`). */
export function localAddressAt(text: string, start: number, end: number): string | null {
  const n = end - start;
  const probe = n > 6 ? probeAt(text, start, end) : -1;
  for (let i = 0; i < recentRaw.length; i++) {
    const raw = recentRaw[i] as string;
    if (recentProbe[i] === probe && raw.length === n && text.startsWith(raw, start)) return recentFormatted[i] as string | null;
  }
  const raw = flatCopy(text.slice(start, end));
  let formatted = locals.get(raw);
  if (formatted === undefined) {
    const ep = parseSecurityAddress(raw);
    formatted = ep === null ? null : formatEndpoint(ep);
    if (locals.size >= 256) locals.clear();
    locals.set(raw, formatted);
  }
  recentRaw[recentNext] = raw;
  recentProbe[recentNext] = probe;
  recentFormatted[recentNext] = formatted;
  recentNext = (recentNext + 1) % RECENT;
  return formatted;
}

/** `ip:port`, or `[v6]:port`, as SecurityEvent.localAddress is written. */
export const formatEndpoint = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]` : e.ip) + (e.port === null ? '' : `:${e.port}`);
