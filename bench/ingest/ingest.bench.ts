// Ingest benchmark: one fleetban-server (the built bin) against PostgreSQL and Redis on this machine, loaded
// by simulated agents in a separate process (load-generator.ts). Two phases, each bounded in time:
//   throughput: N agents send as fast as acks allow (batches of 500, 4 in flight each);
//   latency:    a fixed 10,000 events/s, for the p50/p99 batch->ack time.
// Run alone: `npx tsx bench/ingest/ingest.bench.ts` (after `npm run build`). Writes bench/results/ingest.json.
// Knobs: FLEETBAN_BENCH_AGENTS (20), FLEETBAN_BENCH_SECONDS (20), FLEETBAN_BENCH_ROLE (api), FLEETBAN_BENCH_NODE_ARGS.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { generateAgentToken, hashAgentToken } from '../../apps/server/src/agents/agent-token';
import { applyMigrations } from '../../apps/server/src/database/migrator';
import { meterCpu } from './cpu-meter';
import { ingestBuckets, percentileBound } from './server-histogram';
import type { LoadPlan, LoadReport } from './load-generator';

const ROOT = join(__dirname, '..', '..');
const PG = process.env.FLEETBAN_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DATABASE = 'fleetban_bench_ingest';
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_431);
const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 20);
const SECONDS = Number(process.env.FLEETBAN_BENCH_SECONDS ?? 20);
// api: ingest alone (the ban engine's workers would share the server's CPU; run them as FLEETBAN_ROLE=worker
// processes in production, or set FLEETBAN_BENCH_ROLE=all to measure both in one process).
const ROLE = process.env.FLEETBAN_BENCH_ROLE ?? 'api';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `fleetban-bench-${process.pid}`;

async function sql(database: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: `${PG}/${database}` });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

async function prepareDatabase(): Promise<string[]> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await applyMigrations(`${PG}/${DATABASE}`);
  const tokens = Array.from({ length: AGENTS }, () => generateAgentToken());
  const names = tokens.map((_, i) => `bench-${i}`);
  await sql(DATABASE, 'INSERT INTO agents (name, token_hash) SELECT * FROM unnest($1::text[], $2::text[])', [names, tokens.map(hashAgentToken)]);
  return tokens;
}

async function startServer(): Promise<ChildProcess> {
  const env = { ...process.env, DATABASE_URL: `${PG}/${DATABASE}`, FLEETBAN_PORT: String(PORT), FLEETBAN_HOST: '127.0.0.1', REDIS_URL, FLEETBAN_REDIS_PREFIX: REDIS_PREFIX, FLEETBAN_LOG_LEVEL: 'warn', FLEETBAN_ROLE: ROLE };
  const child = spawn(process.execPath, [...(process.env.FLEETBAN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), join(ROOT, 'bin', 'fleetban-server.js'), 'start'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (child.exitCode !== null) throw new Error(`fleetban-server exited with ${child.exitCode}; is it built (npm run build)?`);
    if (await fetch(`http://127.0.0.1:${PORT}/health/ready`).then((r) => r.ok, () => false)) return child;
  }
  child.kill('SIGKILL');
  throw new Error('fleetban-server did not become ready within 90 s');
}

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
  const tokens = await prepareDatabase();
  const server = await startServer();
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
    server.kill('SIGTERM');
    await once(server, 'exit');
    await sql('postgres', `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await dropRedisKeys();
  }
}

/** The evaluate jobs the run enqueued (no ban engine consumes them here). */
async function dropRedisKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
