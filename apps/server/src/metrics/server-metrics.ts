import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of one server instance, in its own registry (two instances in one process,
 * as in tests, must not share counters).
 */
@Injectable()
export class ServerMetrics {
  readonly registry = new Registry();

  readonly agentsConnected = new Gauge({ name: 'fleetban_agents_connected', help: 'Agents connected to this instance (after hello)', registers: [this.registry] });
  readonly eventsReceived = new Counter({ name: 'fleetban_events_received_total', help: 'Security events received in valid batches', registers: [this.registry] });
  readonly eventsStored = new Counter({ name: 'fleetban_events_stored_total', help: 'Security events committed to PostgreSQL', registers: [this.registry] });
  readonly eventsDuplicate = new Counter({ name: 'fleetban_events_duplicate_total', help: 'Security events in batches received again (acknowledged, not stored)', registers: [this.registry] });
  readonly batches = new Counter({
    name: 'fleetban_batches_total',
    help: 'Event batches by outcome: stored, duplicate, refused (too many in flight), failed (not stored, agent resends)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly ingestLatency = new Histogram({
    name: 'fleetban_ingest_duration_seconds',
    help: 'Time from a batch read off the socket to its ack sent (includes waiting behind earlier batches of the agent)',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly protocolErrors = new Counter({ name: 'fleetban_protocol_errors_total', help: 'Protocol errors sent to agents, by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly evaluationsEnqueued = new Counter({ name: 'fleetban_evaluations_enqueued_total', help: 'evaluate jobs enqueued, by origin', labelNames: ['origin'] as const, registers: [this.registry] });
  readonly enqueueFailures = new Counter({ name: 'fleetban_evaluate_enqueue_failures_total', help: 'evaluate enqueues that failed (left to the sweeper)', registers: [this.registry] });
  readonly banDeltasSent = new Counter({ name: 'fleetban_ban_messages_sent_total', help: 'bans.delta and bans.snapshot messages sent to agents', labelNames: ['type'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
