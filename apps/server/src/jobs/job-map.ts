/**
 * Every BullMQ job of fleetban: queue/job name -> data. Producers and workers take their generics from here
 * (`Queue<EvaluateJob, EvaluateResult, 'evaluate'>`, `Worker<EvaluateJob, EvaluateResult, 'evaluate'>`).
 */
export interface JobMap {
  /**
   * Re-evaluate these IPs against the jails: events for them were just stored. Delivered at least once
   * (the sweeper re-enqueues what it cannot prove was enqueued), so the handler must be idempotent.
   */
  evaluate: EvaluateJob;
  /** Periodic upkeep, scheduled by the ban engine: lift expired bans, prune old events. */
  maintenance: MaintenanceJob;
}

export interface MaintenanceJob {
  task: 'expire-bans' | 'prune-events';
}

export type JobName = keyof JobMap;

export interface EvaluateJob {
  /** Canonical IP addresses (see @fleetban/ip normalizeIp), without duplicates. */
  ips: string[];
  /** Why the job exists: fresh ingest, or re-enqueued by the sweeper after a missed enqueue. */
  origin: 'ingest' | 'sweep';
}

/** What an evaluate run reports (filled in by the ban engine). */
export interface EvaluateResult {
  bansCreated: number;
}

export const EVALUATE_QUEUE: JobName = 'evaluate';
export const MAINTENANCE_QUEUE: JobName = 'maintenance';
/** IPs per evaluate job: bounded so one job stays short and a retry repeats little. */
export const MAX_IPS_PER_EVALUATE_JOB = 500;
