import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { EvaluationDispatcher } from './evaluation-dispatcher';
import { SecurityEventRepository, type NewBatch } from './security-event.repository';

/** Transactions in flight at once; batches that arrive meanwhile wait and go together in the next one. */
const MAX_CONCURRENT_WRITES = 4;
/** Bounds one transaction (and the statement's parameters) when many batches wait. */
const MAX_EVENTS_PER_WRITE = 5000;
const MAX_BATCHES_PER_WRITE = 200;

interface Waiting {
  batch: NewBatch;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes agents' batches to PostgreSQL, several batches of different agents in one transaction when they
 * queue up: with many agents each sending small batches, the cost per transaction (statement, commit, WAL
 * flush) was most of the cost per event. A lone batch is written at once, so an idle server adds no delay.
 * Each batch keeps its own de-duplication (its ingest_batches row) and its own answer; durability is
 * unchanged (synchronous_commit stays on: a batch is acknowledged only once its transaction is on disk).
 */
@Injectable()
export class BatchWriter implements BeforeApplicationShutdown {
  private waiting: Waiting[] = [];
  private writing = 0;
  private closing = false;

  constructor(
    private readonly repository: SecurityEventRepository,
    private readonly dispatcher: EvaluationDispatcher,
  ) {}

  /** Resolves once committed: true when stored now, false when (agent, batch id) was stored before. */
  write(batch: NewBatch): Promise<boolean> {
    if (this.closing) return Promise.reject(shuttingDown());
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.next();
    });
  }

  /**
   * Before the pool closes: batches not started yet are refused (their agents keep them and resend them, here after a
   * restart or to another instance), and the transactions under way finish, so none dies on a closed pool.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const item of this.waiting.splice(0)) item.reject(shuttingDown());
    while (this.writing > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private next(): void {
    while (this.writing < MAX_CONCURRENT_WRITES && this.waiting.length > 0) {
      const group = this.takeGroup();
      this.writing++;
      void this.commit(group).finally(() => {
        this.writing--;
        this.next();
      });
    }
  }

  /** The oldest waiting batches, within the bounds; one (agent, batch id) at most once, a resend waits for the next. */
  private takeGroup(): Waiting[] {
    const group: Waiting[] = [];
    const later: Waiting[] = [];
    const keys = new Set<string>();
    let events = 0;
    for (const item of this.waiting) {
      const key = `${item.batch.agentId}\n${item.batch.batchId}`;
      const fits = group.length === 0 || (group.length < MAX_BATCHES_PER_WRITE && events + item.batch.events.length <= MAX_EVENTS_PER_WRITE);
      if (!fits || keys.has(key)) {
        later.push(item);
        continue;
      }
      keys.add(key);
      events += item.batch.events.length;
      group.push(item);
    }
    this.waiting = later;
    return group;
  }

  private async commit(group: Waiting[]): Promise<void> {
    try {
      const stored = await this.repository.insertBatches(group.map((item) => item.batch));
      const ips = new Set<string>();
      group.forEach((item, i) => stored.fresh[i] && item.batch.ips.forEach((ip) => ips.add(ip)));
      if (stored.pendingIds.length > 0) this.dispatcher.add(stored.pendingIds, [...ips]);
      group.forEach((item, i) => item.resolve(stored.fresh[i] ?? false));
    } catch (error) {
      // One bad batch must not fail the others it was grouped with: alone, each succeeds or fails on its own.
      if (group.length === 1) group[0]!.reject(error);
      else await Promise.all(group.map((item) => this.commit([item])));
    }
  }
}

const shuttingDown = (): DomainError => new DomainError('shutting_down', 'the server is shutting down: the batch was not stored, the agent resends it');
