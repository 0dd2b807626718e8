// Ingest benchmark: one fleetban-server (the built bin) against PostgreSQL and Redis on this machine, loaded
// by simulated agents in a separate process (load-generator.ts), swept over 10, 100 and 1,000 agents. For each
// agent count, two phases, each bounded in time and started on empty event tables:
//   saturated: every agent has a backlog, about 20,000 events unacknowledged across the fleet;
//   paced:     10,000 events/s in total, each agent sending a batch every 100 ms as the real agent does
//              (batchDelayMs), for the p50/p99 batch->ack time.
// Several runs, the agent counts in alternating order; medians and spread (min-max) of the runs.
// Run alone: `npx tsx bench/ingest/ingest.bench.ts` (after `npm run build`). Writes bench/results/ingest.json.
// Knobs: FLEETBAN_BENCH_AGENTS (10,100,1000), FLEETBAN_BENCH_RUNS (3), FLEETBAN_BENCH_SECONDS (10),
// FLEETBAN_BENCH_ROLE (api), FLEETBAN_BENCH_NODE_ARGS.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PG, prepareFleet, ROOT, sql, startServer, teardownFleet } from '../support/bench-fleet';
import { waitForIdleServer } from '../support/server-settle';
import { spread, spreadText, type Spread } from '../support/spread';
import { meterCpu } from './cpu-meter';
import { ingestBuckets, percentileBound } from './server-histogram';
import { READY_LINE, type LoadPlan, type LoadReport } from './load-generator';
import { benchMachine } from '../support/bench-process';

const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_431);
// Named after the port, so that two copies of the bench (another checkout, another port) never drop each other's database.
const DATABASE = `fleetban_bench_ingest_${PORT}`;
const SWEEP = (process.env.FLEETBAN_BENCH_AGENTS ?? '10,100,1000').split(',').map(Number);
const RUNS = Number(process.env.FLEETBAN_BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.FLEETBAN_BENCH_SECONDS ?? 10);
const PACED_RATE = 10_000;
// api: ingest alone (the ban engine's workers would share the server's CPU; run them as FLEETBAN_ROLE=worker
// processes in production, or set FLEETBAN_BENCH_ROLE=all to measure both in one process).
const ROLE = process.env.FLEETBAN_BENCH_ROLE ?? 'api';
const GOALS = { eventsPerSecond: 50_000, p99AckMsAt10k: 100 };

export interface Measured extends LoadReport {
  cpu: { serverMs: number; postgresMs: number };
}

/** A load generator process: `ready` once its agents are connected, `done` with its report. */
function generate(plan: LoadPlan): { ready: Promise<void>; done: Promise<LoadReport> } {
  const generator = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load-generator.ts'), JSON.stringify(plan)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  generator.stdout?.on('data', (d: Buffer) => {
    output += d;
    if (output.includes(READY_LINE)) signalReady();
  });
  const done = once(generator, 'exit').then(([code]) => {
    signalReady();
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    return JSON.parse(output.trim().split('\n').pop() ?? '{}') as LoadReport;
  });
  return { ready, done };
}

/**
 * Runs one load generator process per plan, at the same time, against the servers; counts add up, and the
 * latency percentiles are the worst of the generators'. CPU of the servers and of PostgreSQL's backends from the
 * moment every agent is connected: the upgrades, hellos and catch-ups of 1,000 agents are not ingest work.
 */
export async function runLoad(plans: LoadPlan[], serverPids: number[], database: string): Promise<Measured> {
  const generators = plans.map(generate);
  await Promise.all(generators.map((g) => g.ready));
  const meters = await Promise.all(serverPids.map((pid) => meterCpu(pid, `${PG}/postgres`, database)));
  const reports = await Promise.all(generators.map((g) => g.done));
  const cpus = await Promise.all(meters.map((meter) => meter.stop()));
  // Every meter counts all backends of the database: take PostgreSQL's figure once.
  const cpu = { serverMs: cpus.reduce((sum, c) => sum + c.serverMs, 0), postgresMs: cpus[0]?.postgresMs ?? 0 };
  const sum = (pick: (r: LoadReport) => number): number => reports.reduce((total, r) => total + pick(r), 0);
  const worst = (pick: (r: LoadReport) => number): number => Math.max(...reports.map(pick));
  const errorCodes: Record<string, number> = {};
  for (const r of reports) for (const [code, n] of Object.entries(r.errorCodes)) errorCodes[code] = (errorCodes[code] ?? 0) + n;
  return {
    agents: sum((r) => r.agents),
    events: sum((r) => r.events),
    eventsInWindow: sum((r) => r.eventsInWindow),
    batches: sum((r) => r.batches),
    duplicates: sum((r) => r.duplicates),
    errors: sum((r) => r.errors),
    errorCodes,
    elapsedMs: worst((r) => r.elapsedMs),
    latencyMs: { p50: worst((r) => r.latencyMs.p50), p90: worst((r) => r.latencyMs.p90), p99: worst((r) => r.latencyMs.p99), max: worst((r) => r.latencyMs.max) },
    cpu,
  };
}

/** Lets the server finish the previous phase's batches, then empties the event tables: each phase starts alike. */
export async function startFresh(baseUrls: string[], database: string): Promise<void> {
  for (const url of baseUrls) if (!(await waitForIdleServer(url))) process.stderr.write(`${url} still busy after 60 s; measuring anyway\n`);
  await sql(database, 'TRUNCATE security_events, ingest_batches, pending_evaluations');
}

/**
 * Saturated: every agent has a backlog, and the fleet keeps about 20,000 events unacknowledged whatever its size
 * (10 agents: 4 batches of 500 each; 100: one of 200; 1,000: one of 20), so the queue, hence the ack time, is
 * alike across the sweep and what changes is the number of connections and of transactions.
 */
export const saturatedPlan = (agents: number): Pick<LoadPlan, 'batchSize' | 'inflight'> => {
  const inflight = Math.max(1, Math.min(4, Math.round(40 / agents)));
  return { batchSize: Math.max(1, Math.min(500, Math.round(20_000 / agents / inflight))), inflight };
};
/** Paced: the real agent flushes every 100 ms, so each batch holds a tenth of its second's events. */
export const pacedPlan = (agents: number, rate: number): Pick<LoadPlan, 'batchSize' | 'inflight' | 'rate'> => ({ batchSize: Math.max(1, Math.round(rate / agents / 10)), inflight: 8, rate });

const perEvent = (m: Measured): { serverUs: number; postgresUs: number } => ({ serverUs: (m.cpu.serverMs * 1000) / Math.max(1, m.events), postgresUs: (m.cpu.postgresMs * 1000) / Math.max(1, m.events) });

interface Point {
  saturated: Measured[];
  paced: Measured[];
  serverP99AtMostMs: (number | null)[];
}

async function main(): Promise<void> {
  const fleet = await prepareFleet(DATABASE, Math.max(...SWEEP), PORT);
  const server = await startServer(fleet, ROLE, (process.env.FLEETBAN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const wsUrl = `ws://127.0.0.1:${PORT}/agent`;
  const points = new Map<number, Point>(SWEEP.map((n) => [n, { saturated: [], paced: [], serverP99AtMostMs: [] }]));
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const agents of run % 2 === 0 ? SWEEP : [...SWEEP].reverse()) {
        const point = points.get(agents) as Point;
        const tokens = fleet.tokens.slice(0, agents);
        process.stderr.write(`run ${run + 1}/${RUNS}, ${agents} agents\n`);
        await startFresh([`http://127.0.0.1:${PORT}`], DATABASE);
        point.saturated.push(await runLoad([{ wsUrl, tokens, durationMs: SECONDS * 1000, ...saturatedPlan(agents), runId: `s${run}` }], [server.pid ?? 0], DATABASE));
        await startFresh([`http://127.0.0.1:${PORT}`], DATABASE);
        const before = await ingestBuckets(`http://127.0.0.1:${PORT}`);
        point.paced.push(await runLoad([{ wsUrl, tokens, durationMs: SECONDS * 1000, ...pacedPlan(agents, PACED_RATE), runId: `p${run}` }], [server.pid ?? 0], DATABASE));
        point.serverP99AtMostMs.push(percentileBound(before, await ingestBuckets(`http://127.0.0.1:${PORT}`), 99));
      }
    }
    writeResult(points);
  } finally {
    await teardownFleet(fleet, server);
  }
}

/** Errors the server answered, by code, over the runs: a healthy run has none. */
function errorCodes(runs: Measured[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.errorCodes ?? {})) total[code] = (total[code] ?? 0) + count;
  return total;
}

function summarize(agents: number, point: Point): Record<string, unknown> {
  const rate = (m: Measured): number => (m.eventsInWindow / (SECONDS * 1000)) * 1000;
  return {
    agents,
    saturated: {
      ...saturatedPlan(agents),
      eventsPerSecond: spread(point.saturated.map(rate)),
      ackP50Ms: spread(point.saturated.map((m) => m.latencyMs.p50), 1),
      ackP99Ms: spread(point.saturated.map((m) => m.latencyMs.p99), 1),
      cpuPerEventUs: { server: spread(point.saturated.map((m) => perEvent(m).serverUs), 1), postgres: spread(point.saturated.map((m) => perEvent(m).postgresUs), 1) },
      errors: errorCodes(point.saturated),
      duplicates: point.saturated.reduce((sum, m) => sum + m.duplicates, 0),
    },
    paced: {
      ...pacedPlan(agents, PACED_RATE),
      achievedEventsPerSecond: spread(point.paced.map(rate)),
      ackP50Ms: spread(point.paced.map((m) => m.latencyMs.p50), 1),
      ackP99Ms: spread(point.paced.map((m) => m.latencyMs.p99), 1),
      serverSideP99AtMostMs: point.serverP99AtMostMs,
      cpuPerEventUs: { server: spread(point.paced.map((m) => perEvent(m).serverUs), 1), postgres: spread(point.paced.map((m) => perEvent(m).postgresUs), 1) },
      errors: errorCodes(point.paced),
    },
  };
}

function writeResult(points: Map<number, Point>): void {
  const sweep = [...points].map(([agents, point]) => summarize(agents, point));
  const headline = sweep.flatMap((p) => {
    const s = p.saturated as { eventsPerSecond: Spread; cpuPerEventUs: { server: Spread; postgres: Spread }; batchSize: number };
    const q = p.paced as { ackP50Ms: Spread; ackP99Ms: Spread; achievedEventsPerSecond: Spread; batchSize: number };
    return [
      { what: `ingest, ${p.agents} agents with a backlog (batches of ${s.batchSize})`, figure: `${spreadText(s.eventsPerSecond)} events/s; CPU/event ${s.cpuPerEventUs.server.median} µs server + ${s.cpuPerEventUs.postgres.median} µs PostgreSQL`, goal: `${GOALS.eventsPerSecond.toLocaleString('en-US')} events/s` },
      { what: `ack at ${PACED_RATE.toLocaleString('en-US')} events/s, ${p.agents} agents (batch of ${q.batchSize} every 100 ms)`, figure: `p50 ${spreadText(q.ackP50Ms, ' ms')}, p99 ${spreadText(q.ackP99Ms, ' ms')}; achieved ${q.achievedEventsPerSecond.median.toLocaleString('en-US')}/s`, goal: `p99 < ${GOALS.p99AckMsAt10k} ms` },
    ];
  });
  const result = {
    command: 'npx tsx bench/ingest/ingest.bench.ts',
    date: new Date().toISOString(),
    serverRole: ROLE,
    machine: benchMachine(),
    runs: RUNS,
    secondsPerPhase: SECONDS,
    note: 'medians of the runs with min-max; CPU per event: the server process and the PostgreSQL backends of its database (WAL writer, checkpointer and the load generator not counted)',
    headline,
    sweep,
    goals: GOALS,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`ingest benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
