import { formatIp, parseIp, type IpVersion, type ParsedIp } from './address';

/** A network: an address with its prefix length, host bits cleared. A single address is a /32 or /128. */
export interface Cidr {
  version: IpVersion;
  network: bigint;
  prefix: number;
}

const bitsOf = (version: IpVersion): number => (version === 4 ? 32 : 128);

function maskOf(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(bitsOf(version));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, `v6` or `v6/n`. Host bits set below the prefix are an error
 * (10.1.2.3/8 is more likely a typo than a wish), unless `strict` is false, in which case they are cleared.
 */
export function parseCidr(text: string, options: { strict?: boolean } = {}): Cidr | null {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === null) return null;
  const max = bitsOf(ip.version);
  let prefix = max;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) names IPv4 addresses.
    if (ip.version === 4 && text.slice(0, slash).includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return null;
  }
  const network = ip.value & maskOf(ip.version, prefix);
  if (network !== ip.value && options.strict !== false) return null;
  return { version: ip.version, network, prefix };
}

export function formatCidr(cidr: Cidr): string {
  const address = formatIp({ version: cidr.version, value: cidr.network });
  return cidr.prefix === bitsOf(cidr.version) ? address : `${address}/${cidr.prefix}`;
}

/** Canonical text of a CIDR (a single address prints without its /32 or /128), or null if invalid. */
export function normalizeCidr(text: string, options: { strict?: boolean } = {}): string | null {
  const cidr = parseCidr(text, options);
  return cidr === null ? null : formatCidr(cidr);
}

export function cidrContainsIp(cidr: Cidr, ip: ParsedIp): boolean {
  return cidr.version === ip.version && (ip.value & maskOf(cidr.version, cidr.prefix)) === cidr.network;
}

/** True when every address of `inner` is in `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && outer.prefix <= inner.prefix && (inner.network & maskOf(outer.version, outer.prefix)) === outer.network;
}

/** True when the two networks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

export function isSingleAddress(cidr: Cidr): boolean {
  return cidr.prefix === bitsOf(cidr.version);
}
