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
    return (await this.readMany([ip], horizonMs, now)).get(ip) ?? [];
  }

  /**
   * The windows of many IPs in a fixed number of round trips, whatever their count (a flood evaluates hundreds
   * per job): one read of the watermarks, one PostgreSQL query, one pipeline of window updates.
   */
  async readMany(ips: readonly string[], horizonMs: number, now: number): Promise<Map<string, Failure[]>> {
    const result = new Map<string, Failure[]>();
    if (ips.length === 0) return result;
    const start = now - horizonMs;
    const keys = ips.map((ip) => ({ ip, window: this.redis.key(`window:${ip}`), watermark: this.redis.key(`window:${ip}:stored`) }));
    const watermarks = (await this.redis.commands.mget(...keys.map((k) => k.watermark))).map((value) => Number(value ?? 0));
    const fresh = await this.failures.forIps(
      ips.map((ip, i) => ({ ip, storedAfter: watermarks[i]! > 0 ? watermarks[i]! - WATERMARK_OVERLAP_MS : 0 })),
      start,
    );
    const pipeline = this.redis.commands.pipeline();
    keys.forEach(({ ip, window, watermark }, i) => {
      const mine = fresh.get(ip) ?? [];
      const args: Array<string | number> = [start, horizonMs + WATERMARK_OVERLAP_MS, mine.reduce((max, f) => Math.max(max, f.receivedAt), watermarks[i]!)];
      for (const failure of mine) args.push(failure.time, encode(failure));
      pipeline.eval(RECORD_SCRIPT, 2, window, watermark, ...args);
    });
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach(({ ip }, i) => {
      const [error, members] = replies[i] ?? [new Error('no reply')];
      if (error) throw error;
      result.set(ip, (members as string[]).map((member) => decode(member, ip)));
    });
    return result;
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
