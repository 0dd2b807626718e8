import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

const CHANNEL = 'agents:revoked';
/** A revocation seen in the last minute still refuses a connection that authenticated just before it. */
const REMEMBER_MS = 60_000;

/**
 * Revocations travel through Redis so that whichever instance holds the agent's connection closes it at once.
 * (The gateway also polls the database, in case a message is lost.)
 */
@Injectable()
export class AgentRevocations {
  private readonly recent = new Map<number, number>();
  private readonly listeners: ((agentId: number) => void)[] = [];
  private subscribed: Promise<void> | undefined;

  constructor(private readonly redis: RedisService) {}

  async publish(agentId: number): Promise<void> {
    await this.redis.publish(CHANNEL, String(agentId));
  }

  /** Calls `listener` with the id of every agent revoked from now on, on any instance. */
  async onRevoked(listener: (agentId: number) => void): Promise<void> {
    this.listeners.push(listener);
    this.subscribed ??= this.redis.subscribe(CHANNEL, (message) => this.received(Number(message)));
    await this.subscribed;
  }

  /** True when this instance heard of the agent's revocation recently. */
  wasRecentlyRevoked(agentId: number, now = Date.now()): boolean {
    const at = this.recent.get(agentId);
    return at !== undefined && now - at < REMEMBER_MS;
  }

  private received(agentId: number): void {
    if (!Number.isSafeInteger(agentId)) return;
    const now = Date.now();
    this.recent.set(agentId, now);
    for (const [id, at] of this.recent) if (now - at >= REMEMBER_MS) this.recent.delete(id);
    for (const listener of this.listeners) listener(agentId);
  }
}
