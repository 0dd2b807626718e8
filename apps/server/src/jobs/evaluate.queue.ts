import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { EVALUATE_QUEUE, type EvaluateJob, type EvaluateResult } from './job-map';

const ADD_TIMEOUT_MS = 2000;
/**
 * The sweeper's re-enqueues carry a priority and fresh evaluations none: BullMQ's workers take every job without a
 * priority (its wait list) before any prioritized one, so a backlog of re-enqueues, however long, never delays the
 * evaluation, hence the ban, of a new attack. (1 is merely the first of the prioritized.)
 */
const SWEEP_PRIORITY = 1;

type EvaluateQueueClient = Queue<EvaluateJob, EvaluateResult, 'evaluate'>;

/**
 * The producer side of the `evaluate` queue. While Redis is away, adds time out (ADD_TIMEOUT_MS) instead of
 * waiting without bound: the pending marker in PostgreSQL covers the gap and the sweeper re-enqueues. After a
 * failed add the queue client is rebuilt, so a failure during BullMQ's own connection setup is not permanent.
 */
@Injectable()
export class EvaluateQueue implements OnApplicationShutdown {
  private client: { queue: EvaluateQueueClient; connection: Redis } | undefined;

  constructor(private readonly redis: RedisService) {}

  /** The queue (for inspection and tests); created on first use. */
  get queue(): EvaluateQueueClient {
    this.client ??= this.open();
    return this.client.queue;
  }

  async add(data: EvaluateJob): Promise<void> {
    const queue = this.queue;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take the evaluate job within ${ADD_TIMEOUT_MS} ms`)), ADD_TIMEOUT_MS);
    });
    try {
      await Promise.race([queue.add('evaluate', data, data.origin === 'sweep' ? { priority: SWEEP_PRIORITY } : {}), timeout]);
    } catch (error) {
      this.discard();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.queue.close().catch(() => undefined);
    client?.connection.disconnect();
  }

  private open(): { queue: EvaluateQueueClient; connection: Redis } {
    const connection = this.redis.connect({ maxRetriesPerRequest: 1 });
    const queue = new Queue<EvaluateJob, EvaluateResult, 'evaluate'>(EVALUATE_QUEUE, {
      connection,
      prefix: this.redis.bullPrefix,
      skipWaitingForReady: true,
      defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    });
    queue.on('error', () => undefined);
    return { queue, connection };
  }

  private discard(): void {
    const client = this.client;
    this.client = undefined;
    void client?.queue.close().catch(() => undefined).finally(() => client.connection.disconnect());
  }
}
