import { Injectable } from '@nestjs/common';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { ServerMetrics } from '../metrics/server-metrics';
import { EvaluationDispatcher } from './evaluation-dispatcher';
import { SecurityEventRepository } from './security-event.repository';

export interface IngestResult {
  duplicate: boolean;
}

/** Durable, exactly-once storage of event batches, then hand-off to the ban engine. */
@Injectable()
export class IngestService {
  constructor(
    private readonly events: SecurityEventRepository,
    private readonly dispatcher: EvaluationDispatcher,
    private readonly metrics: ServerMetrics,
  ) {}

  /**
   * Stores the batch of the authenticated agent `agentId` in one transaction; resolves once committed, so
   * the caller may acknowledge. A batch id already stored for this agent stores nothing and reports a duplicate.
   * Throws when the database fails: the batch is then not stored and must not be acknowledged.
   */
  async store(agentId: number, batchId: string, events: readonly SecurityEvent[]): Promise<IngestResult> {
    this.metrics.eventsReceived.inc(events.length);
    const ips = [...new Set(events.map((event) => event.ip))];
    const stored = await this.events.insertBatch(agentId, batchId, events, ips);
    if (!stored.fresh || stored.pendingId === null) {
      this.metrics.eventsDuplicate.inc(events.length);
      this.metrics.batches.inc({ result: 'duplicate' });
      return { duplicate: true };
    }
    this.metrics.eventsStored.inc(events.length);
    this.metrics.batches.inc({ result: 'stored' });
    this.dispatcher.add(stored.pendingId, ips);
    return { duplicate: false };
  }
}
