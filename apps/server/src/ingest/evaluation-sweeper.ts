import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVER_TUNABLES, type ServerTunables } from '../app/server-tunables';
import { LOGGER } from '../logging/logger';
import { EvaluationDispatcher } from './evaluation-dispatcher';
import { PendingEvaluationRepository } from './pending-evaluation.repository';

const SWEEP_BATCH = 500;

/**
 * Re-enqueues evaluations whose marker outlived the normal commit-to-enqueue delay: the enqueue failed
 * (Redis away) or the process died in between. Several instances may sweep the same marker; that only
 * evaluates an IP twice.
 */
@Injectable()
export class EvaluationSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly pending: PendingEvaluationRepository,
    private readonly dispatcher: EvaluationDispatcher,
    @Inject(SERVER_TUNABLES) private readonly tunables: ServerTunables,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'evaluation-sweeper' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.tunables.sweepIntervalMs);
    this.timer.unref();
  }

  /** One pass; returns how many markers were re-enqueued (at most one pass runs at a time). */
  sweep(now = new Date()): Promise<number> {
    this.running ??= this.sweepOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(now: Date): Promise<number> {
    let total = 0;
    try {
      const before = new Date(now.getTime() - this.tunables.sweepAfterMs);
      for (;;) {
        const missed = await this.pending.olderThan(before, SWEEP_BATCH);
        if (missed.length === 0) break;
        const ips = [...new Set(missed.flatMap((marker) => marker.ips))];
        if (!(await this.dispatcher.dispatch(ips, missed.map((marker) => marker.id), 'sweep'))) break;
        total += missed.length;
        if (missed.length < SWEEP_BATCH) break;
      }
    } catch (error) {
      this.log.warn({ err: error }, 'sweep failed; next pass retries');
    }
    if (total > 0) this.log.info({ markers: total }, 're-enqueued missed evaluations');
    return total;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
