import { Injectable } from '@nestjs/common';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { PrismaService } from '../database/prisma.service';
import { boolArrayLiteral, numberArrayLiteral, textArrayLiteral } from './array-literal';
import { PgPool } from '../database/pg-pool';

/** One agent's batch, with the distinct IPs of its events (what the ban engine will evaluate). */
export interface NewBatch {
  agentId: number;
  batchId: string;
  events: readonly SecurityEvent[];
  ips: readonly string[];
}

export interface StoredBatches {
  /** Per batch, in the order given: false when (agent, batch id) was stored before, and nothing was written. */
  fresh: boolean[];
  /** The pending-evaluation markers written with the fresh batches. */
  pendingIds: bigint[];
}

// One statement, hence one transaction, for any number of batches (of distinct agent and batch id pairs):
// the batch rows first (ON CONFLICT DO NOTHING detects resends, and makes a concurrent resend wait for the
// first to commit; rows go in key order so that two statements never wait on each other), then the events
// of the batches whose row was new, through unnest (one multi-row insert, not one per event), then one
// pending-evaluation marker per new batch. Events and IPs carry the 1-based index of their batch.
const INSERT_BATCHES = `
WITH input AS (
  SELECT b.agent_id, b.batch_id, b.event_count, b.n::int AS n
  FROM unnest($1::int[], $2::text[], $3::int[]) WITH ORDINALITY AS b(agent_id, batch_id, event_count, n)
), batch AS (
  INSERT INTO ingest_batches (agent_id, batch_id, event_count)
  SELECT agent_id, batch_id, event_count FROM input ORDER BY agent_id, batch_id
  ON CONFLICT DO NOTHING RETURNING agent_id, batch_id
), fresh AS (
  SELECT input.n, input.agent_id FROM input JOIN batch USING (agent_id, batch_id)
), stored AS (
  INSERT INTO security_events (agent_id, time, type, failure, ip, port, transport, service, account, session, local_address, source)
  SELECT fresh.agent_id, to_timestamp(e.t / 1000.0), e.ty::"SecurityEventType", e.f, e.ip::inet, e.p, e.tr, e.sv, e.ac, e.se, e.la, e.so::"EventSource"
  FROM unnest($4::int[], $5::float8[], $6::text[], $7::bool[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
    AS e(n, t, ty, f, ip, p, tr, sv, ac, se, la, so)
  JOIN fresh USING (n)
  RETURNING 1
), pending AS (
  INSERT INTO pending_evaluations (agent_id, ips)
  SELECT fresh.agent_id, array_agg(i.ip ORDER BY i.k) FROM unnest($16::int[], $17::text[]) WITH ORDINALITY AS i(n, ip, k)
  JOIN fresh USING (n) GROUP BY fresh.n, fresh.agent_id
  RETURNING id
)
SELECT ARRAY(SELECT n FROM fresh) AS fresh, ARRAY(SELECT id FROM pending) AS pending_ids, (SELECT count(*) FROM stored)::int AS stored`;

interface Row {
  fresh: number[];
  pending_ids: string[];
  stored: number;
}

@Injectable()
export class SecurityEventRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  /** Stores batches (of distinct agent and batch id pairs) in one transaction, each exactly once per (agent, batch id). */
  async insertBatches(batches: readonly NewBatch[]): Promise<StoredBatches> {
    const events = batches.flatMap((batch) => batch.events);
    const batchOf = batches.flatMap((batch, i) => batch.events.map(() => i + 1));
    const text = (key: 'type' | 'ip' | 'transport' | 'service' | 'account' | 'session' | 'localAddress' | 'source'): string => textArrayLiteral(events.map((event) => event[key]));
    // A named statement: each pooled connection parses it once, not once per transaction.
    const { rows } = await this.pg.pool.query<Row>({
      name: 'fleetban-insert-batches',
      text: INSERT_BATCHES,
      values: [
        numberArrayLiteral(batches.map((batch) => batch.agentId)),
        textArrayLiteral(batches.map((batch) => batch.batchId)),
        numberArrayLiteral(batches.map((batch) => batch.events.length)),
        numberArrayLiteral(batchOf),
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
        numberArrayLiteral(batches.flatMap((batch, i) => batch.ips.map(() => i + 1))),
        textArrayLiteral(batches.flatMap((batch) => batch.ips)),
      ],
    });
    const row = rows[0];
    if (!row) throw new Error('the batch insert returned no row');
    const fresh = new Set(row.fresh);
    return { fresh: batches.map((_, i) => fresh.has(i + 1)), pendingIds: row.pending_ids.map(BigInt) };
  }

  /** Events stored for an agent (tests and status pages). */
  async countForAgent(agentId: number): Promise<number> {
    return this.prisma.securityEvent.count({ where: { agentId } });
  }
}
