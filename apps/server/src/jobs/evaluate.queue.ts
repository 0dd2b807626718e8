import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { EVALUATE_QUEUE, type EvaluateJob, type EvaluateResult } from './job-map';

const ADD_TIMEOUT_MS = 2000;

/** The producer side of the `evaluate` queue. */
@Injectable()
export class EvaluateQueue implements OnApplicationShutdown {
  readonly queue: Queue<EvaluateJob, EvaluateResult, 'evaluate'>;
  private readonly connection: Redis;

  constructor(redis: RedisService) {
    // Its own connection. While Redis is away, adds time out (ADD_TIMEOUT_MS) instead of waiting without
    // bound: the pending marker in PostgreSQL covers the gap and the sweeper re-enqueues.
    this.connection = redis.commands.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    this.connection.on('error', () => undefined);
    this.queue = new Queue<EvaluateJob, EvaluateResult, 'evaluate'>(EVALUATE_QUEUE, {
      connection: this.connection,
      prefix: redis.bullPrefix,
      skipWaitingForReady: true,
      defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    });
    this.queue.on('error', () => undefined);
  }

  async add(data: EvaluateJob): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take the evaluate job within ${ADD_TIMEOUT_MS} ms`)), ADD_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.queue.add('evaluate', data), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
