import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { normalizeIp } from '@fleetban/ip';

/**
 * What this agent never blocks, whatever the server says: its own addresses, its server's, and its local
 * allowlist. A mistake upstream (or a compromised server) cannot cut the PBX off its own network or its fleet.
 */
export async function protectedAddresses(serverUrl: string, allowlist: readonly string[]): Promise<string[]> {
  const own = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((entry) => normalizeIp(entry.address.split('%')[0] as string))
    .filter((ip): ip is string => ip !== null);
  const host = new URL(serverUrl).hostname.replace(/^\[|\]$/g, '');
  let server: string[] = [];
  const literal = normalizeIp(host);
  if (literal !== null) server = [literal];
  else {
    try {
      server = (await lookup(host, { all: true })).map((a) => normalizeIp(a.address)).filter((ip): ip is string => ip !== null);
    } catch {
      // Unresolvable now: the link will fail too, and the name is resolved again at the next start.
    }
  }
  return [...new Set([...allowlist, ...own, ...server])];
}
