import { isRefusal, type BanTarget, type BanTargetValidator, type Refusal } from './ban-target.validator';
import type { Cidr } from '@fleetban/ip';

/**
 * A ban as the enforcer needs it: an address or network, and when it ends (ms since the epoch; null: never). The
 * field names are those of @fleetban/protocol's WireBan, so the agent passes received bans as they are.
 */
export interface Ban {
  ip: string;
  until: number | null;
}

/** A validated ban with its end. */
export interface BanElement extends BanTarget {
  expiresAt: number | null;
}

export interface PreparedBans {
  elements: BanElement[];
  refused: Refusal[];
  /** Bans whose end is already past: nothing to enforce. */
  expired: number;
}

/** The later of two ends, null (never) being the latest. */
const laterEnd = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.max(a, b));

/**
 * Validates, refuses what touches a protected network, drops what already ended, and merges duplicates (keeping the
 * later end). Only the canonical text of a parsed address ever reaches an nft script.
 */
export function prepareBans(bans: readonly Ban[], validator: BanTargetValidator, now: number): PreparedBans {
  const byCidr = new Map<string, BanElement>();
  const refused: Refusal[] = [];
  let expired = 0;
  for (const ban of bans) {
    const target = validator.check(ban.ip);
    if (isRefusal(target)) {
      refused.push(target);
      continue;
    }
    if (ban.until !== null && !(ban.until > now)) {
      expired++;
      continue;
    }
    const previous = byCidr.get(target.cidr);
    const expiresAt = previous ? laterEnd(previous.expiresAt, ban.until) : ban.until;
    byCidr.set(target.cidr, { ...target, expiresAt });
  }
  return { elements: [...byCidr.values()], refused, expired };
}

export interface NetworkLayout {
  kept: BanElement[];
  shadowed: BanElement[];
  /** When an outer network ends before a network it shadows: apply the desired state again then. */
  reassertAt: number | null;
}

const lastAddress = (cidr: Cidr): bigint => cidr.network + (1n << BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix)) - 1n;

/**
 * The networks to put in the interval sets. The kernel refuses overlapping intervals in one set, and CIDRs either nest
 * or are disjoint, so a network inside another banned network is left out ("shadowed"): the outer one already covers
 * it. When the outer one ends before an inner one, `reassertAt` says when to apply again to bring the inner one back.
 */
export function layoutNetworks(networks: Iterable<BanElement>, now: number): NetworkLayout {
  const live = [...networks].filter((n) => n.expiresAt === null || n.expiresAt > now);
  live.sort((a, b) => a.parsed.version - b.parsed.version || (a.parsed.network < b.parsed.network ? -1 : a.parsed.network > b.parsed.network ? 1 : a.parsed.prefix - b.parsed.prefix));
  const kept: BanElement[] = [];
  const shadowed: BanElement[] = [];
  let outer: BanElement | null = null;
  let reassertAt: number | null = null;
  for (const network of live) {
    if (outer !== null && outer.parsed.version === network.parsed.version && network.parsed.network <= lastAddress(outer.parsed)) {
      shadowed.push(network);
      if (outer.expiresAt !== null && laterEnd(outer.expiresAt, network.expiresAt) !== outer.expiresAt) {
        reassertAt = Math.min(reassertAt ?? outer.expiresAt, outer.expiresAt);
      }
      continue;
    }
    outer = network;
    kept.push(network);
  }
  return { kept, shadowed, reassertAt };
}

/** Longest timeout written to the kernel; longer bans are re-asserted by the agent long before this runs out. */
export const MAX_TIMEOUT_SECONDS = 3650 * 86_400;

/**
 * nft's timeout text for the time left, rounded up to whole seconds, as `1d2h3m4s`: nft 1.0.6 refuses a bare seconds
 * count above about 10^8 ("value too large") but takes the same span in days.
 */
export function renderTimeout(expiresAt: number, now: number): string {
  let left = Math.min(Math.ceil((expiresAt - now) / 1000), MAX_TIMEOUT_SECONDS);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  if (left > 0 || parts.length === 0) parts.push(`${Math.max(left, 1)}s`);
  return parts.join('');
}
