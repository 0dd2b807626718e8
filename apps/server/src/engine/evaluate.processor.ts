import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { normalizeIp } from '@fleetban/ip';
import type { Logger } from 'pino';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { EVALUATE_QUEUE, type EvaluateJob, type EvaluateResult } from '../jobs/job-map';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { BanEngine } from './ban-engine.service';

/**
 * The worker side of the `evaluate` queue. Runs in the worker role (and in `all`). A job killed mid-way is
 * picked up again by BullMQ's stalled-job check and simply evaluated again: evaluation is idempotent.
 */
@Injectable()
export class EvaluateProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker<EvaluateJob, EvaluateResult, 'evaluate'> | undefined;
  private connection: Redis | undefined;
  private readonly log: Logger;

  constructor(
    private readonly engine: BanEngine,
    private readonly redis: RedisService,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'evaluate-worker' });
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    // Its own connection, built for blocking reads: the shared one fails fast by design.
    this.connection = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
    this.worker = new Worker<EvaluateJob, EvaluateResult, 'evaluate'>(EVALUATE_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.redis.bullPrefix,
      concurrency: 4,
      // A crashed worker's job is taken over once its lock lapses: keep that short, bans are waited for.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    });
    this.worker.on('failed', (job, error) => this.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'evaluate job failed; BullMQ retries it'));
    this.worker.on('error', (error) => this.log.warn({ err: error }, 'evaluate worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.connection?.disconnect();
  }

  async process(job: Job<EvaluateJob, EvaluateResult, 'evaluate'>): Promise<EvaluateResult> {
    const ips = Array.isArray(job.data?.ips) ? job.data.ips : null;
    if (ips === null || ips.some((ip) => typeof ip !== 'string' || normalizeIp(ip) !== ip)) {
      throw new UnrecoverableError(`evaluate job ${job.id} carries no list of canonical IPs; dropped`);
    }
    return { bansCreated: await this.engine.evaluateIps(ips, Date.now()) };
  }
}
