import { Injectable } from '@nestjs/common';
import type { Failure } from '@fleetban/policy';
import { RedisService } from '../redis/redis.service';
import { FailureRepository, type StoredFailure } from './failure.repository';

/**
 * Adds members, trims what fell out of the window, advances the watermark and returns the window, atomically.
 * KEYS: window zset, watermark. ARGV: window start, ttl ms, watermark, then score/member pairs.
 */
const RECORD_SCRIPT = `
local n = #ARGV
for i = 4, n, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local wm = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[3]) > wm then wm = tonumber(ARGV[3]) end
redis.call('SET', KEYS[2], tostring(wm), 'PX', ARGV[2])
return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
`;

/** Events can commit out of id and time order (several ingest transactions at once): re-read this much before the watermark. */
const WATERMARK_OVERLAP_MS = 10_000;

/**
 * Recent failures per IP, fleet-wide, in Redis sorted sets (score: event time): each evaluation reads from
 * PostgreSQL only what was stored since the last one. A missing window (Redis restarted, evicted, or the IP is new)
 * is rebuilt from PostgreSQL, so Redis holds nothing that cannot be lost.
 */
@Injectable()
export class FailureWindow {
  constructor(
    private readonly redis: RedisService,
    private readonly failures: FailureRepository,
  ) {}

  /** The failures of `ip` with time >= now - horizonMs. */
  async read(ip: string, horizonMs: number, now: number): Promise<Failure[]> {
    const start = now - horizonMs;
    const windowKey = this.redis.key(`window:${ip}`);
    const watermarkKey = this.redis.key(`window:${ip}:stored`);
    const watermark = Number((await this.redis.commands.get(watermarkKey)) ?? 0);
    const fresh = await this.failures.forIp(ip, start, watermark > 0 ? watermark - WATERMARK_OVERLAP_MS : 0);
    const args: Array<string | number> = [start, horizonMs + WATERMARK_OVERLAP_MS, Math.max(watermark, ...fresh.map((f) => f.receivedAt))];
    for (const failure of fresh) args.push(failure.time, encode(failure));
    const members = (await this.redis.commands.eval(RECORD_SCRIPT, 2, windowKey, watermarkKey, ...args)) as string[];
    return members.map((member) => decode(member, ip));
  }
}

// Members carry the row id, so adding the same event twice is a no-op; session and account (attacker text) go last, in JSON.
function encode(failure: StoredFailure): string {
  return JSON.stringify([failure.id, failure.time, failure.agentId, failure.type, failure.session, failure.account]);
}

function decode(member: string, ip: string): Failure {
  const [, time, agentId, type, session, account] = JSON.parse(member) as [string, number, string, Failure['type'], string | null, string | null];
  return { ip, time, agentId, type, session, account };
}
