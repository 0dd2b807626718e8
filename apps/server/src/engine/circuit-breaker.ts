import { Injectable } from '@nestjs/common';
import { circuitBreaker, pruneBanTimes, type CircuitBreakerState } from '@fleetban/policy';
import { RedisService } from '../redis/redis.service';

/**
 * The fleet's record of recent automatic bans, shared by every worker through Redis, judged by the policy's
 * circuit breaker: past the limit, automatic banning pauses (manual bans still work).
 */
@Injectable()
export class CircuitBreaker {
  constructor(private readonly redis: RedisService) {}

  private get key(): string {
    return this.redis.key('breaker:automatic-bans');
  }

  async state(now: number, limitPerMinute: number): Promise<CircuitBreakerState> {
    const members = await this.redis.commands.zrangebyscore(this.key, now - 3_600_000, '+inf');
    const times = pruneBanTimes(members.map((m) => Number(m.split(':')[0])), now, { limitPerMinute });
    return circuitBreaker(times, now, { limitPerMinute });
  }

  async record(now: number, banIds: readonly string[]): Promise<void> {
    if (banIds.length === 0) return;
    await this.redis.commands.multi().zadd(this.key, ...banIds.flatMap((id) => [now, `${now}:${id}`])).zremrangebyscore(this.key, '-inf', now - 3_600_000).exec();
  }
}
