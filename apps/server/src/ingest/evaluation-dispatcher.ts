import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVER_TUNABLES, type ServerTunables } from '../app/server-tunables';
import { EvaluateQueue } from '../jobs/evaluate.queue';
import { MAX_IPS_PER_EVALUATE_JOB, type EvaluateJob } from '../jobs/job-map';
import { LOGGER } from '../logging/logger';
import { ServerMetrics } from '../metrics/server-metrics';
import { PendingEvaluationRepository } from './pending-evaluation.repository';

/**
 * Markers of enqueued ingest batches are deleted this much later, together: their commit (a WAL flush) then does not
 * compete with the evaluation that has just started, and a flood's flushes share one. Far below the sweeper's
 * sweepAfterMs, so a marker waiting for deletion is not re-enqueued.
 */
const MARKER_DELETE_DELAY_MS = 250;

/**
 * Hands the IPs of committed batches to the ban engine. IPs of the batches committed within a short window
 * are coalesced (one IP once per job); once the jobs are in Redis the batches' pending markers are deleted.
 * If the enqueue fails, the markers stay and the sweeper re-enqueues them: nothing is lost between commit
 * and enqueue, at the price of an occasional second evaluation (the ban engine is idempotent). The sweeper's
 * re-enqueues go with a lower priority than fresh ones (see EvaluateQueue), so a backlog of them never
 * holds back the evaluation of a new attack.
 */
@Injectable()
export class EvaluationDispatcher implements OnApplicationShutdown {
  private ips = new Set<string>();
  private pendingIds: bigint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = -Infinity;
  private enqueuedMarkers: bigint[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly queue: EvaluateQueue,
    private readonly pending: PendingEvaluationRepository,
    private readonly metrics: ServerMetrics,
    @Inject(SERVER_TUNABLES) private readonly tunables: ServerTunables,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'evaluation-dispatcher' });
  }

  /** Called after batches committed with their pending markers. */
  add(pendingIds: readonly bigint[], ips: readonly string[]): void {
    this.pendingIds.push(...pendingIds);
    for (const ip of ips) this.ips.add(ip);
    if (this.ips.size >= MAX_IPS_PER_EVALUATE_JOB) return void this.flush();
    if (this.timer) return;
    // The first batch after a quiet spell goes at once (its failure may be the decisive one that every PBX waits
    // for); what follows within the window waits for it and goes together, so a flood makes few large jobs.
    const wait = this.lastFlushAt + this.tunables.evaluateCoalesceMs - performance.now();
    if (wait <= 0) void this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Enqueues what is collected; resolves when done (or failed, leaving it to the sweeper). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingIds.length === 0) return Promise.resolve();
    this.lastFlushAt = performance.now();
    const ips = [...this.ips];
    const ids = this.pendingIds;
    this.ips = new Set();
    this.pendingIds = [];
    return this.track(this.dispatch(ips, ids, 'ingest').then(() => undefined));
  }

  /**
   * Enqueues `ips` then deletes the markers `ids` (an ingest's a little later, see MARKER_DELETE_DELAY_MS; a sweep's
   * at once, since the sweep reads the markers left until none is); never throws. False when the enqueue failed.
   */
  async dispatch(ips: readonly string[], ids: readonly bigint[], origin: EvaluateJob['origin']): Promise<boolean> {
    try {
      for (let at = 0; at < ips.length; at += MAX_IPS_PER_EVALUATE_JOB) {
        await this.queue.add({ ips: ips.slice(at, at + MAX_IPS_PER_EVALUATE_JOB), origin });
        this.metrics.evaluationsEnqueued.inc({ origin });
      }
    } catch (error) {
      this.metrics.enqueueFailures.inc();
      this.log.warn({ err: error, batches: ids.length }, 'could not enqueue evaluate jobs; the pending markers stay and the sweeper retries');
      return false;
    }
    if (origin === 'sweep') {
      await this.deleteMarkers(ids);
    } else {
      this.enqueuedMarkers.push(...ids);
      this.deleteTimer ??= setTimeout(() => void this.deleteEnqueuedMarkers(), MARKER_DELETE_DELAY_MS);
    }
    return true;
  }

  private deleteEnqueuedMarkers(): Promise<void> {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const ids = this.enqueuedMarkers;
    this.enqueuedMarkers = [];
    return this.track(this.deleteMarkers(ids));
  }

  /** Keeps `work` in inFlight until it settles, so shutdown waits for it. */
  private track(work: Promise<void>): Promise<void> {
    const done: Promise<void> = work.finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    return done;
  }

  private async deleteMarkers(ids: readonly bigint[]): Promise<void> {
    try {
      await this.pending.delete(ids);
    } catch (error) {
      this.log.warn({ err: error }, 'jobs enqueued but pending markers not deleted; they will be evaluated twice');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
    await this.deleteEnqueuedMarkers();
  }
}
