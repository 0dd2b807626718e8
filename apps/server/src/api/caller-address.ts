import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CidrSet, normalizeIp } from '@fleetban/ip';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

/**
 * The caller's address from the peer and its X-Forwarded-For: the peer itself unless it is a trusted proxy;
 * otherwise the hops are walked from the right (the nearest proxy appends last) and the first one not trusted is
 * the caller. Anyone can send X-Forwarded-For, so what a hop left of an untrusted one says is never read. A hop
 * that is not an address stops the walk at the last proxy that was trusted: garbage never becomes a caller.
 */
export function callerAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: CidrSet): string | null {
  if (peer === undefined) return null;
  let caller = normalizeIp(peer) ?? peer;
  if (proxies.size === 0 || forwardedFor === undefined) return caller;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0 && proxies.has(caller); i--) {
    const hop = normalizeIp((hops[i] ?? '').trim());
    if (hop === null) break;
    caller = hop;
  }
  return caller;
}

/** Resolves callers against FLEETBAN_TRUSTED_PROXIES, for the audit log and the per-caller rate limit. */
@Injectable()
export class CallerAddress {
  private readonly proxies: CidrSet;

  constructor(@Inject(SERVER_CONFIG) config: Pick<ServerConfig, 'trustedProxies'>) {
    this.proxies = new CidrSet(config.trustedProxies);
  }

  of(request: Request): string | null {
    return callerAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], this.proxies);
  }
}
