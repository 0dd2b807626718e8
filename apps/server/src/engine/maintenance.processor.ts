import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BansService } from '../bans/bans.service';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { MAINTENANCE_QUEUE, type MaintenanceJob } from '../jobs/job-map';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { RetentionRepository } from './retention.repository';

const EXPIRE_EVERY_MS = 1_000;
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 10_000;

/**
 * Lifts bans when they are due (agents' kernel timeouts already stop enforcing them; the `remove` change keeps
 * every agent's book and the status pages exact) and prunes events past their retention. Job schedulers make
 * one run per period fleet-wide, however many workers there are.
 */
@Injectable()
export class MaintenanceProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker<MaintenanceJob, number, MaintenanceJob['task']> | undefined;
  private queue: Queue<MaintenanceJob, number, MaintenanceJob['task']> | undefined;
  private connection: Redis | undefined;
  private readonly log: Logger;

  constructor(
    private readonly bans: BansService,
    private readonly retention: RetentionRepository,
    private readonly redis: RedisService,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'maintenance' });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.connection = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
    const options = { connection: this.connection, prefix: this.redis.bullPrefix };
    this.queue = new Queue<MaintenanceJob, number, MaintenanceJob['task']>(MAINTENANCE_QUEUE, options);
    await this.queue.upsertJobScheduler('expire-bans', { every: EXPIRE_EVERY_MS }, { name: 'expire-bans', data: { task: 'expire-bans' }, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    await this.queue.upsertJobScheduler('prune-events', { every: PRUNE_EVERY_MS }, { name: 'prune-events', data: { task: 'prune-events' }, opts: { removeOnComplete: 10, removeOnFail: 10 } });
    this.worker = new Worker<MaintenanceJob, number, MaintenanceJob['task']>(MAINTENANCE_QUEUE, (job) => this.process(job), options);
    this.worker.on('error', (error) => this.log.warn({ err: error }, 'maintenance worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    this.connection?.disconnect();
  }

  async process(job: Job<MaintenanceJob, number, MaintenanceJob['task']>): Promise<number> {
    switch (job.data?.task) {
      case 'expire-bans':
        return this.bans.expireDue(new Date());
      case 'prune-events':
        return this.pruneEvents(new Date(Date.now() - this.config.eventRetentionDays * 86_400_000));
      default:
        throw new UnrecoverableError(`unknown maintenance task ${JSON.stringify(job.data?.task)}`);
    }
  }

  /** Deletes in batches until nothing older than `before` is left; returns the events deleted. */
  async pruneEvents(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.retention.pruneEvents(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    while ((await this.retention.pruneBatches(before, PRUNE_BATCH)) === PRUNE_BATCH);
    if (total > 0) this.log.info({ deleted: total, before }, 'pruned events past their retention');
    return total;
  }
}
