import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** Deletes old events (and their batches' de-duplication keys) in short batches, so the tables are never locked long. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `batch` events older than `before`; returns how many. */
  async pruneEvents(before: Date, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM security_events WHERE id IN (SELECT id FROM security_events WHERE time < ${before} ORDER BY time LIMIT ${batch})`;
  }

  /** Batch keys only guard against resends, which come within minutes: the event retention is ample. */
  async pruneBatches(before: Date, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM ingest_batches WHERE (agent_id, batch_id) IN (
        SELECT agent_id, batch_id FROM ingest_batches WHERE received_at < ${before} ORDER BY received_at LIMIT ${batch})`;
  }
}
