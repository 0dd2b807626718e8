import { Injectable } from '@nestjs/common';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { PrismaService } from '../database/prisma.service';
import { boolArrayLiteral, numberArrayLiteral, textArrayLiteral } from './array-literal';
import { IngestPool } from './ingest-pool';

export interface StoredBatch {
  /** False when (agent, batch id) was stored before: nothing was written this time. */
  fresh: boolean;
  /** The pending-evaluation marker written with the batch (null for a duplicate). */
  pendingId: bigint | null;
}

// One statement, hence one transaction: the batch row first (ON CONFLICT DO NOTHING detects a resend,
// and makes a concurrent resend wait for the first to commit), then every event through unnest (one
// multi-row insert, not one per event), then the pending-evaluation marker. The events and the marker
// are inserted only when the batch row was.
const INSERT_BATCH = `
WITH batch AS (
  INSERT INTO ingest_batches (agent_id, batch_id, event_count) VALUES ($1, $2, $3)
  ON CONFLICT DO NOTHING RETURNING agent_id
), stored AS (
  INSERT INTO security_events (agent_id, time, type, failure, ip, port, transport, service, account, session, local_address, source)
  SELECT batch.agent_id, to_timestamp(e.t / 1000.0), e.ty::"SecurityEventType", e.f, e.ip::inet, e.p, e.tr, e.sv, e.ac, e.se, e.la, e.so::"EventSource"
  FROM batch, unnest($4::float8[], $5::text[], $6::bool[], $7::text[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
    AS e(t, ty, f, ip, p, tr, sv, ac, se, la, so)
  RETURNING 1
), pending AS (
  INSERT INTO pending_evaluations (agent_id, ips) SELECT batch.agent_id, $15::text[] FROM batch RETURNING id
)
SELECT (SELECT count(*) FROM batch)::int AS fresh, (SELECT id FROM pending) AS pending_id, (SELECT count(*) FROM stored)::int AS stored`;

interface Row {
  fresh: number;
  pending_id: string | null;
  stored: number;
}

@Injectable()
export class SecurityEventRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ingestPool: IngestPool,
  ) {}

  /** Stores a batch of one agent with the IPs to evaluate, exactly once per (agent, batch id). */
  async insertBatch(agentId: number, batchId: string, events: readonly SecurityEvent[], ips: readonly string[]): Promise<StoredBatch> {
    const text = (key: 'type' | 'ip' | 'transport' | 'service' | 'account' | 'session' | 'localAddress' | 'source'): string => textArrayLiteral(events.map((event) => event[key]));
    // A named statement: each pooled connection parses it once, not once per batch.
    const { rows } = await this.ingestPool.pool.query<Row>({
      name: 'fleetban-insert-batch',
      text: INSERT_BATCH,
      values: [
        agentId,
        batchId,
        events.length,
        numberArrayLiteral(events.map((event) => event.time)),
        text('type'),
        boolArrayLiteral(events.map((event) => event.failure)),
        text('ip'),
        numberArrayLiteral(events.map((event) => event.port)),
        text('transport'),
        text('service'),
        text('account'),
        text('session'),
        text('localAddress'),
        text('source'),
        textArrayLiteral(ips),
      ],
    });
    const row = rows[0];
    if (!row) throw new Error('the batch insert returned no row');
    return { fresh: row.fresh === 1, pendingId: row.pending_id === null ? null : BigInt(row.pending_id) };
  }

  /** Events stored for an agent (tests and status pages). */
  async countForAgent(agentId: number): Promise<number> {
    return this.prisma.securityEvent.count({ where: { agentId } });
  }
}
