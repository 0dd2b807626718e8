import { Injectable } from '@nestjs/common';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { ServerMetrics } from '../metrics/server-metrics';
import { BatchWriter } from './batch-writer';

export interface IngestResult {
  duplicate: boolean;
}

/** Durable, exactly-once storage of event batches, then hand-off to the ban engine. */
@Injectable()
export class IngestService {
  constructor(
    private readonly writer: BatchWriter,
    private readonly metrics: ServerMetrics,
  ) {}

  /**
   * Stores the batch of the authenticated agent `agentId` in one transaction (BatchWriter may share it with other
   * agents' batches); resolves once committed, so the caller may acknowledge. A batch id already stored for this agent stores nothing and reports a duplicate.
   * Throws when the database fails: the batch is then not stored and must not be acknowledged.
   */
  async store(agentId: number, batchId: string, events: readonly SecurityEvent[]): Promise<IngestResult> {
    this.metrics.eventsReceived.inc(events.length);
    const ips = [...new Set(events.map((event) => event.ip))];
    const fresh = await this.writer.write({ agentId, batchId, events, ips });
    if (!fresh) {
      this.metrics.eventsDuplicate.inc(events.length);
      this.metrics.batches.inc({ result: 'duplicate' });
      return { duplicate: true };
    }
    this.metrics.eventsStored.inc(events.length);
    this.metrics.batches.inc({ result: 'stored' });
    return { duplicate: false };
  }
}
