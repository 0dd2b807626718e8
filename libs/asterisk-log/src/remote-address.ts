import { normalizeIp } from '@fleetban/ip';
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
    cache.set(text, ip);
  }
  return ip;
}

function port(text: string): number | null {
  if (text.length === 0 || text.length > 5) return null;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return v <= 65535 ? v : null;
}

/**
 * res_security_log's address: `IPV4/UDP/1.2.3.4/5060`, `IPV6/TCP/2001:db8::10/5060` (no brackets), transport
 * segment optional (`IPV4/1.2.3.4/5060`, `IPV4//1.2.3.4/5060`). Null when it is not exactly that shape.
 */
export function parseSecurityAddress(value: string): Endpoint | null {
  let ep = endpoints.get(value);
  if (ep === undefined) {
    ep = readSecurityAddress(value);
    if (endpoints.size >= 4096) endpoints.clear();
    endpoints.set(value, ep);
  }
  return ep;
}

/** Endpoints are shared between events of the same sender: never mutate one. */
const endpoints = new Map<string, Endpoint | null>();

function readSecurityAddress(value: string): Endpoint | null {
  if (!(value.startsWith('IPV4/') || value.startsWith('IPV6/'))) return null;
  const last = value.lastIndexOf('/');
  const p = port(value.slice(last + 1));
  if (p === null || last <= 5) return null;
  const mid = value.slice(5, last);
  const slash = mid.indexOf('/');
  const rawTransport = slash >= 0 ? mid.slice(0, slash).toUpperCase() : '';
  const ip = canonicalIp(slash >= 0 ? mid.slice(slash + 1) : mid);
  if (ip === null) return null;
  return { ip, port: p, transport: TRANSPORT_SET.has(rawTransport) ? (rawTransport as Transport) : null };
}

/** `1.2.3.4`, `1.2.3.4:5060`, `[2001:db8::1]:5060`, `[2001:db8::1]`, bare `2001:db8::1`; transport left null. */
export function parseHostPort(text: string): Endpoint | null {
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const ip = canonicalIp(text.slice(1, close));
    if (ip === null) return null;
    if (close === text.length - 1) return { ip, port: null, transport: null };
    if (text.charCodeAt(close + 1) !== 58) return null;
    const p = port(text.slice(close + 2));
    return p === null ? null : { ip, port: p, transport: null };
  }
  const colon = text.indexOf(':');
  if (colon >= 0 && colon === text.lastIndexOf(':')) {
    const ip = canonicalIp(text.slice(0, colon));
    const p = port(text.slice(colon + 1));
    return ip === null || p === null ? null : { ip, port: p, transport: null };
  }
  const ip = canonicalIp(text);
  return ip === null ? null : { ip, port: null, transport: null };
}

const locals = new Map<string, string | null>();

/** A security-log LocalAddress as SecurityEvent.localAddress (`ip:port`, `[v6]:port`); memoized, a PBX has few. */
export function localAddress(raw: string): string | null {
  let formatted = locals.get(raw);
  if (formatted === undefined) {
    const ep = parseSecurityAddress(raw);
    formatted = ep === null ? null : formatEndpoint(ep);
    if (locals.size >= 256) locals.clear();
    locals.set(raw, formatted);
  }
  return formatted;
}

/** `ip:port`, or `[v6]:port`, as SecurityEvent.localAddress is written. */
export const formatEndpoint = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]` : e.ip) + (e.port === null ? '' : `:${e.port}`);
