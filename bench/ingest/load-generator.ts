// A fleet of simulated agents in its own process: each opens a WebSocket with its token, says hello, then
// sends event batches (pipelined up to `inflight` unacknowledged) either as fast as acks allow or at a fixed
// total rate, for a bounded time. Prints one JSON line with counts and batch->ack latencies.
import type WebSocket from 'ws';
import { encodeAgentMessage } from '@fleetban/protocol';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { connectFleet } from '../support/agent-socket';
import { runGenerator } from '../support/bench-process';

export interface LoadPlan {
  wsUrl: string;
  tokens: string[];
  durationMs: number;
  batchSize: number;
  inflight: number;
  /** Total events per second across agents; absent: as fast as acks come back. */
  rate?: number;
  runId: string;
  /** Loopback source address (127.0.0.x) of the connections, when one address's ephemeral ports are not enough. */
  localAddress?: string;
}

export interface LoadReport {
  agents: number;
  events: number;
  /** Events acknowledged before the end of the sending window (the throughput figure). */
  eventsInWindow: number;
  batches: number;
  duplicates: number;
  errors: number;
  /** Errors the server sent, by code. */
  errorCodes: Record<string, number>;
  elapsedMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

const TEMPLATES = 16;
/** Printed once every agent is welcomed, so the parent can start its CPU meters at the start of the window. */
export const READY_LINE = '{"ready":true}';

function templates(batchSize: number): string[] {
  return Array.from({ length: TEMPLATES }, (_, t) => {
    const events: SecurityEvent[] = Array.from({ length: batchSize }, (_, i) => ({
      time: 1_764_400_000_000 + i,
      type: i % 7 === 0 ? 'ChallengeSent' : 'InvalidPassword',
      failure: i % 7 !== 0,
      ip: `198.${18 + (t % 2)}.${(t * 13 + i) % 256}.${(i * 7) % 254 + 1}`,
      port: 5060,
      transport: 'UDP',
      service: 'PJSIP',
      account: `${1000 + (i % 50)}`,
      session: `bench-${t}-${i}`,
      localAddress: '192.0.2.1:5060',
      source: 'security',
    }));
    return encodeAgentMessage({ type: 'events', batchId: '__BATCH__', events });
  });
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

async function runAgent(plan: LoadPlan, socket: WebSocket, index: number, bodies: string[], stopAt: number, report: LoadReport, latencies: number[]): Promise<void> {
  const sentAt = new Map<string, number>();
  let seq = 0;
  let wake: (() => void) | undefined;
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; batchId?: string; duplicate?: boolean };
    if (message.type === 'ack' && message.batchId) {
      const t0 = sentAt.get(message.batchId);
      if (t0 !== undefined) {
        latencies.push(performance.now() - t0);
        sentAt.delete(message.batchId);
        report.batches++;
        report.events += plan.batchSize;
        if (performance.now() <= stopAt) report.eventsInWindow += plan.batchSize;
        if (message.duplicate) report.duplicates++;
      }
      wake?.();
    } else if (message.type === 'error') {
      report.errors++;
      const code = (message as { code?: string }).code ?? 'unknown';
      report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1;
    }
  });
  const perAgentRate = plan.rate ? plan.rate / plan.tokens.length / plan.batchSize : undefined; // batches per second
  // Agents spread their sends over the period, as independent PBXs would, rather than all at the same instant.
  const start = performance.now() + (perAgentRate ? (index / plan.tokens.length) * (1000 / perAgentRate) : 0);
  while (performance.now() < stopAt) {
    if (sentAt.size >= plan.inflight) {
      // Bounded: a server that stops acking ends the run at stopAt rather than hanging it.
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(1, stopAt - performance.now()));
      });
      continue;
    }
    if (perAgentRate) {
      const due = start + (seq / perAgentRate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (performance.now() >= stopAt) break;
    }
    const batchId = `${plan.runId}-${index}-${seq}`;
    sentAt.set(batchId, performance.now());
    socket.send(bodies[seq % bodies.length]!.replace('__BATCH__', batchId));
    seq++;
  }
  const drainUntil = performance.now() + 5000;
  while (sentAt.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  socket.close();
}

export async function generateLoad(plan: LoadPlan): Promise<LoadReport> {
  const bodies = templates(plan.batchSize);
  const report: LoadReport = { agents: plan.tokens.length, events: 0, eventsInWindow: 0, batches: 0, duplicates: 0, errors: 0, errorCodes: {}, elapsedMs: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 } };
  const latencies: number[] = [];
  // The clock starts once every agent is welcomed, so connecting 1,000 agents does not eat the sending window.
  const sockets = await connectFleet(plan.tokens.map((token, i) => ({ wsUrl: plan.wsUrl, token, hostname: `bench-${i}`, localAddress: plan.localAddress })));
  process.stdout.write(`${READY_LINE}\n`);
  const started = performance.now();
  const stopAt = started + plan.durationMs;
  await Promise.all(sockets.map((socket, i) => runAgent(plan, socket, i, bodies, stopAt, report, latencies)));
  report.elapsedMs = Math.round(performance.now() - started);
  latencies.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  report.latencyMs = { p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? 0) };
  return report;
}

if (require.main === module) runGenerator('load generator', generateLoad);
