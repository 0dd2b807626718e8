import { z } from 'zod';
import { normalizeCidr, normalizeIp } from '@fleetban/ip';

/** An IP address in canonical form (see @fleetban/ip normalizeIp): one host never has two spellings. */
export const canonicalIp = z.string().max(45).refine((text) => normalizeIp(text) === text, {
  error: 'must be one IP address in canonical form (IPv4 dotted quad, or RFC 5952 IPv6)',
});

/** An IP address or a network in canonical form (a single address without /32 or /128). */
export const canonicalIpOrCidr = z.string().max(49).refine((text) => normalizeCidr(text) === text, {
  error: 'must be an IP address or CIDR in canonical form (host bits clear, no /32 or /128 on single addresses)',
});
