// Decision benchmark: the ban engine's evaluate workers under a flood from 10,000 distinct IPs (3 failures each,
// all banned). Processes as in production: `fleetban-server start` with FLEETBAN_ROLE=api (gateway and ingest),
// another with FLEETBAN_ROLE=worker (the BullMQ evaluate worker), and the attack from a separate process
// (flood-generator.ts) over real WebSockets. Each run has two phases, each on its own fresh /16 of attackers:
//   backlog: the queue paused, the flood ingested, then the queue resumed: the worker's drain rate alone
//            (IPs evaluated/s, jobs/s, bans/s) and its CPU time, with that of the PostgreSQL backends;
//   live:    the queue running while the flood comes in: the time from the flood's last ack to the last decision.
// Run alone: `npx tsx bench/engine/decision-flood.bench.ts` (after `node scripts/bootstrap.mjs`). Writes
// bench/results/decision-flood.json. Knobs: FLEETBAN_BENCH_IPS (10000), FLEETBAN_BENCH_RUNS (3),
// FLEETBAN_BENCH_AGENTS (10), FLEETBAN_BENCH_WORKER_NODE_ARGS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { meterCpu } from '../ingest/cpu-meter';
import { PG, prepareFleet, REDIS_URL, ROOT, startServer, teardownFleet, type BenchFleet } from '../support/bench-fleet';
import type { FloodPlan, FloodReport } from './flood-generator';
import { benchMachine } from '../support/bench-process';

const DATABASE = 'fleetban_bench_decisions';
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_433);
const IPS = Number(process.env.FLEETBAN_BENCH_IPS ?? 10_000);
const RUNS = Number(process.env.FLEETBAN_BENCH_RUNS ?? 3);
const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 10);
const FAILURES_PER_IP = 3;
const DRAIN_TIMEOUT_MS = 300_000;
// The flood is meant to be banned: the circuit breaker (500 automatic bans a minute) would stop it after 500.
const BREAKER_LIMIT = '10000000';

interface EvaluateData {
  ips: string[];
}

async function runFlood(plan: FloodPlan): Promise<FloodReport> {
  const generator = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'flood-generator.ts'), JSON.stringify(plan)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  generator.stdout?.on('data', (d: Buffer) => (output += d));
  const [code] = (await once(generator, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`flood generator exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as FloodReport;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** Bans of the flood's /16: how many, first and last decision (epoch ms, PostgreSQL's clock, the same host's). */
async function bansOf(db: Client, prefix: string): Promise<{ bans: number; first: number; last: number }> {
  const { rows } = await db.query<{ n: number; first: Date | null; last: Date | null }>(
    'SELECT count(*)::int AS n, min(created_at) AS first, max(created_at) AS last FROM bans WHERE target <<= $1::inet',
    [`${prefix}.0.0/16`],
  );
  const row = rows[0];
  return { bans: row?.n ?? 0, first: row?.first?.getTime() ?? 0, last: row?.last?.getTime() ?? 0 };
}

/** The evaluate jobs completed since `afterId` (BullMQ ids count up): IPs, and the span they were processed in. */
async function jobsSince(queue: Queue<EvaluateData>, afterId: number): Promise<{ jobs: number; ips: number; firstStart: number; lastEnd: number; maxId: number }> {
  const jobs = (await queue.getJobs(['completed'], 0, -1)).filter((job) => Number(job.id) > afterId);
  return {
    jobs: jobs.length,
    ips: jobs.reduce((sum, job) => sum + job.data.ips.length, 0),
    firstStart: Math.min(...jobs.map((job) => job.processedOn ?? Infinity)),
    lastEnd: Math.max(...jobs.map((job) => job.finishedOn ?? 0)),
    maxId: Math.max(afterId, ...jobs.map((job) => Number(job.id))),
  };
}

const idle = async (queue: Queue<EvaluateData>, db: Client): Promise<boolean> => {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  const pending = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_evaluations')).rows[0]?.n ?? 0;
  return pending === 0 && Object.values(counts).every((n) => n === 0);
};

interface Context {
  fleet: BenchFleet;
  worker: ChildProcess;
  queue: Queue<EvaluateData>;
  db: Client;
  lastJobId: number;
}

const plan = (fleet: BenchFleet, prefix: string, runId: string): FloodPlan => ({ wsUrl: `ws://127.0.0.1:${fleet.port}/agent`, tokens: fleet.tokens, prefix, ips: IPS, failuresPerIp: FAILURES_PER_IP, batchSize: 500, inflight: 4, runId });

async function backlogPhase(ctx: Context, prefix: string, runId: string) {
  await ctx.queue.pause();
  const floodReport = await runFlood(plan(ctx.fleet, prefix, runId));
  await until('flood enqueued', async () => (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_evaluations')).rows[0]?.n === 0);
  const queued = await ctx.queue.getJobCounts('waiting');
  const meter = await meterCpu(ctx.worker.pid ?? 0, `${PG}/postgres`, DATABASE);
  await ctx.queue.resume();
  await until('backlog drained', () => idle(ctx.queue, ctx.db));
  const cpu = await meter.stop();
  const jobs = await jobsSince(ctx.queue, ctx.lastJobId);
  ctx.lastJobId = jobs.maxId;
  const decided = await bansOf(ctx.db, prefix);
  const seconds = (jobs.lastEnd - jobs.firstStart) / 1000;
  return {
    events: floodReport.events,
    jobsQueued: queued.waiting ?? 0,
    jobs: jobs.jobs,
    ipsEvaluated: jobs.ips,
    bans: decided.bans,
    drainSeconds: Math.round(seconds * 100) / 100,
    ipsPerSecond: Math.round(jobs.ips / seconds),
    jobsPerSecond: Math.round((jobs.jobs / seconds) * 10) / 10,
    bansPerSecond: Math.round(decided.bans / seconds),
    cpuPerIpUs: { worker: Math.round((cpu.serverMs * 1000) / jobs.ips), postgres: Math.round((cpu.postgresMs * 1000) / jobs.ips) },
  };
}

async function livePhase(ctx: Context, prefix: string, runId: string) {
  const floodReport = await runFlood(plan(ctx.fleet, prefix, runId));
  await until('live flood decided', async () => (await idle(ctx.queue, ctx.db)) && (await bansOf(ctx.db, prefix)).bans >= IPS);
  const decided = await bansOf(ctx.db, prefix);
  const jobs = await jobsSince(ctx.queue, ctx.lastJobId);
  ctx.lastJobId = jobs.maxId;
  return {
    events: floodReport.events,
    floodSeconds: Math.round((floodReport.lastAckAt - floodReport.firstSentAt) / 10) / 100,
    jobs: jobs.jobs,
    ipsEvaluated: jobs.ips,
    bans: decided.bans,
    lastDecisionAfterFloodEndMs: decided.last - floodReport.lastAckAt,
    bansPerSecondFromFirstEvent: Math.round(decided.bans / ((decided.last - floodReport.firstSentAt) / 1000)),
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const spread = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

async function main(): Promise<void> {
  process.env.FLEETBAN_BREAKER_LIMIT = BREAKER_LIMIT;
  const fleet = await prepareFleet(DATABASE, AGENTS, PORT);
  const api = await startServer(fleet, 'api');
  const workerNodeArgs = (process.env.FLEETBAN_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const worker = await startServer({ ...fleet, port: PORT + 1 }, 'worker', workerNodeArgs);
  const queue = new Queue<EvaluateData>('evaluate', { connection: { url: REDIS_URL }, prefix: `${fleet.redisPrefix}:bull` });
  const db = new Client({ connectionString: `${PG}/${DATABASE}` });
  await db.connect();
  const ctx: Context = { fleet, worker, queue, db, lastJobId: 0 };
  const loadStart = loadavg()[0] ?? 0;
  try {
    const backlog = [];
    const live = [];
    for (let run = 0; run < RUNS; run++) {
      backlog.push(await backlogPhase(ctx, `44.${2 * run}`, `b${run}`));
      live.push(await livePhase(ctx, `44.${2 * run + 1}`, `l${run}`));
      process.stderr.write(`run ${run + 1}/${RUNS}: backlog ${JSON.stringify(backlog[run])}\n  live ${JSON.stringify(live[run])}\n`);
    }
    const result = {
      command: 'npx tsx bench/engine/decision-flood.bench.ts',
      date: new Date().toISOString(),
      machine: { ...benchMachine(), loadavgAtStart: Math.round(loadStart * 100) / 100 },
      setup: { ips: IPS, failuresPerIp: FAILURES_PER_IP, agents: AGENTS, runs: RUNS, processes: 'api + worker (concurrency 4) + flood generator', breakerLimitPerMinute: Number(BREAKER_LIMIT) },
      backlog: {
        ipsEvaluatedPerSecond: spread(backlog.map((r) => r.ipsPerSecond)),
        jobsPerSecond: spread(backlog.map((r) => r.jobsPerSecond)),
        bansPerSecond: spread(backlog.map((r) => r.bansPerSecond)),
        drainSeconds: spread(backlog.map((r) => r.drainSeconds)),
        cpuPerIpUs: { worker: spread(backlog.map((r) => r.cpuPerIpUs.worker)), postgres: spread(backlog.map((r) => r.cpuPerIpUs.postgres)) },
      },
      live: {
        lastDecisionAfterFloodEndMs: spread(live.map((r) => r.lastDecisionAfterFloodEndMs)),
        bansPerSecondFromFirstEvent: spread(live.map((r) => r.bansPerSecondFromFirstEvent)),
        floodSeconds: spread(live.map((r) => r.floodSeconds)),
      },
      runs: { backlog, live },
      note: 'figures are lower bounds: the machine is shared; CPU per IP moves least with load',
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'decision-flood.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await queue.close();
    await db.end();
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await teardownFleet(fleet, api);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`decision benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
