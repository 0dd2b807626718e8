// Ingest benchmark: one fleetban-server (the built bin) against PostgreSQL and Redis on this machine, loaded
// by simulated agents in a separate process (load-generator.ts). Two phases, each bounded in time:
//   throughput: N agents send as fast as acks allow (batches of 500, 4 in flight each);
//   latency:    a fixed 10,000 events/s, for the p50/p99 batch->ack time.
// Run alone: `npx tsx bench/ingest/ingest.bench.ts` (after `npm run build`). Writes bench/results/ingest.json.
// Knobs: FLEETBAN_BENCH_AGENTS (20), FLEETBAN_BENCH_SECONDS (20), FLEETBAN_BENCH_ROLE (api), FLEETBAN_BENCH_NODE_ARGS.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PG, prepareFleet, ROOT, startServer, teardownFleet } from '../support/bench-fleet';
import { meterCpu } from './cpu-meter';
import { ingestBuckets, percentileBound } from './server-histogram';
import type { LoadPlan, LoadReport } from './load-generator';

const DATABASE = 'fleetban_bench_ingest';
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_431);
const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 20);
const SECONDS = Number(process.env.FLEETBAN_BENCH_SECONDS ?? 20);
// api: ingest alone (the ban engine's workers would share the server's CPU; run them as FLEETBAN_ROLE=worker
// processes in production, or set FLEETBAN_BENCH_ROLE=all to measure both in one process).
const ROLE = process.env.FLEETBAN_BENCH_ROLE ?? 'api';

interface Measured extends LoadReport {
  cpu: { serverMs: number; postgresMs: number };
}

async function runLoad(plan: LoadPlan, serverPid: number): Promise<Measured> {
  const meter = await meterCpu(serverPid, `${PG}/postgres`, DATABASE);
  const generator = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load-generator.ts'), JSON.stringify(plan)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  generator.stdout?.on('data', (d: Buffer) => (output += d));
  const [code] = (await once(generator, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const cpu = await meter.stop();
  return { ...(JSON.parse(output.trim().split('\n').pop() ?? '{}') as LoadReport), cpu };
}

async function main(): Promise<void> {
  const fleet = await prepareFleet(DATABASE, AGENTS, PORT);
  const tokens = fleet.tokens;
  const server = await startServer(fleet, ROLE, (process.env.FLEETBAN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const wsUrl = `ws://127.0.0.1:${PORT}/agent`;
  try {
    const throughput = await runLoad({ wsUrl, tokens, durationMs: SECONDS * 1000, batchSize: 500, inflight: 4, runId: 'max' }, server.pid ?? 0);
    const beforeRate = await ingestBuckets(`http://127.0.0.1:${PORT}`);
    const latency = await runLoad({ wsUrl, tokens, durationMs: Math.min(SECONDS, 15) * 1000, batchSize: 100, inflight: 8, rate: 10_000, runId: 'rate' }, server.pid ?? 0);
    const afterRate = await ingestBuckets(`http://127.0.0.1:${PORT}`);
    const serverSide = { p50AtMostMs: percentileBound(beforeRate, afterRate, 50), p99AtMostMs: percentileBound(beforeRate, afterRate, 99) };
    const eventsPerSecond = Math.round((throughput.eventsInWindow / (SECONDS * 1000)) * 1000);
    // CPU per event of the server and of its PostgreSQL backends (WAL writer and checkpointer not included):
    // what the machine's load does not change. On two otherwise idle cores the ceiling is about
    // 2 s of CPU per second divided by that cost.
    const cost = (m: Measured): { serverUs: number; postgresUs: number; projectedEventsPerSecondOn2Cores: number } => {
      const serverUs = (m.cpu.serverMs * 1000) / Math.max(1, m.events);
      const postgresUs = (m.cpu.postgresMs * 1000) / Math.max(1, m.events);
      return { serverUs: Math.round(serverUs * 10) / 10, postgresUs: Math.round(postgresUs * 10) / 10, projectedEventsPerSecondOn2Cores: Math.round(2e6 / Math.max(0.1, serverUs + postgresUs)) };
    };
    const result = {
      command: 'npx tsx bench/ingest/ingest.bench.ts',
      date: new Date().toISOString(),
      serverRole: ROLE,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
      throughput: { agents: AGENTS, batchSize: 500, inflightPerAgent: 4, seconds: SECONDS, eventsPerSecond, ackLatencyMs: throughput.latencyMs, cpuPerEvent: cost(throughput), duplicates: throughput.duplicates, errors: throughput.errors },
      latencyAt10k: {
        agents: AGENTS,
        batchSize: 100,
        targetEventsPerSecond: 10_000,
        achievedEventsPerSecond: Math.round((latency.eventsInWindow / (Math.min(SECONDS, 15) * 1000)) * 1000),
        ackLatencyMs: latency.latencyMs,
        serverSideLatencyBucketMs: serverSide,
        cpuPerEvent: cost(latency),
        errors: latency.errors,
      },
      goals: { eventsPerSecond: 50_000, p99AckMsAt10k: 100 },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await teardownFleet(fleet, server);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
