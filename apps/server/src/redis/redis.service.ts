import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

type MessageHandler = (message: string) => void;

/** Commands fail after this long while Redis is away, so callers fall back instead of waiting without bound. */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * The process's Redis connections: one for commands (bounded by COMMAND_TIMEOUT_MS) and one for
 * subscriptions. Every key and channel carries the configured prefix, so fleets and test runs can share a Redis.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly commands: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, MessageHandler[]>();

  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {
    this.commands = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    this.commands.on('error', () => undefined); // reconnects by itself; readiness reports the outage
  }

  /** A new connection to the same Redis (for clients that need their own, such as BullMQ queues). */
  connect(options: RedisOptions = {}): Redis {
    const connection = new Redis(this.config.redisUrl, options);
    connection.on('error', () => undefined);
    return connection;
  }

  /** `prefix:name`: the Redis key or channel of `name` for this fleet. */
  key(name: string): string {
    return `${this.config.redisPrefix}:${name}`;
  }

  /** Prefix for BullMQ's keys (its own `prefix` option). */
  get bullPrefix(): string {
    return this.key('bull');
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.commands.publish(this.key(channel), message);
  }

  /** Calls `handler` for every message on `channel`, across reconnects. */
  async subscribe(channel: string, handler: MessageHandler): Promise<void> {
    const full = this.key(channel);
    if (!this.subscriber) {
      this.subscriber = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (ch: string, message: string) => {
        for (const h of this.handlers.get(ch) ?? []) h(message);
      });
    }
    this.handlers.set(full, [...(this.handlers.get(full) ?? []), handler]);
    await this.subscriber.subscribe(full);
  }

  async ping(): Promise<boolean> {
    return (await this.commands.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    this.commands.disconnect();
    this.subscriber?.disconnect();
  }
}
