import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** How long a connection counts as present without a refresh; the gateway refreshes well within it. */
export const PRESENCE_TTL_MS = 45_000;

/**
 * Which agents are connected right now, to any instance: each instance marks its connected agents in Redis
 * with a short expiry, so a crashed instance's agents stop counting as connected by themselves.
 */
@Injectable()
export class AgentPresence {
  constructor(private readonly redis: RedisService) {}

  private key(agentId: number): string {
    return this.redis.key(`presence:${agentId}`);
  }

  async mark(agentId: number): Promise<void> {
    await this.redis.commands.set(this.key(agentId), String(Date.now()), 'PX', PRESENCE_TTL_MS);
  }

  async clear(agentId: number): Promise<void> {
    await this.redis.commands.del(this.key(agentId));
  }

  /** The subset of `agentIds` connected now. */
  async connected(agentIds: number[]): Promise<Set<number>> {
    if (agentIds.length === 0) return new Set();
    const values = await this.redis.commands.mget(...agentIds.map((id) => this.key(id)));
    return new Set(agentIds.filter((_, i) => values[i] !== null));
  }
}
