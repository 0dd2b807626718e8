// Connections benchmark: memory of one fleetban-server (the built bin, role api) per idle agent connection, at
// 1,000 and 10,000 real WebSocket connections held by separate load-generator processes (idle-agents.ts), each
// connecting from its own loopback source address (127.0.0.x) so ephemeral ports never run short. The server's
// memory is read through its inspector after a full GC: RSS and V8 heap, before, at each step, and after every
// agent has left (what is not given back would be a leak). Fresh server per run; medians and spread of the runs.
// Run alone: `npx tsx bench/connections/connections.bench.ts` (after `npm run build`). Writes bench/results/connections.json.
// Knobs: FLEETBAN_BENCH_CONNECTIONS (1000,10000), FLEETBAN_BENCH_RUNS (3), FLEETBAN_BENCH_PER_PROCESS (2500).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dropFleet, prepareFleet, ROOT, startServer, type BenchFleet } from '../support/bench-fleet';
import { measureMemory, type ProcessMemory } from '../support/inspector-memory';
import { metricValue } from '../support/server-settle';
import { spread, spreadText } from '../support/spread';
import type { IdlePlan } from './idle-agents';
import { benchMachine } from '../support/bench-process';

const DATABASE = 'fleetban_bench_connections';
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_433);
const INSPECTOR_PORT = Number(process.env.FLEETBAN_BENCH_INSPECTOR_PORT ?? 19_433);
const STEPS = (process.env.FLEETBAN_BENCH_CONNECTIONS ?? '1000,10000').split(',').map(Number);
const RUNS = Number(process.env.FLEETBAN_BENCH_RUNS ?? 3);
const PER_PROCESS = Number(process.env.FLEETBAN_BENCH_PER_PROCESS ?? 2500);
const HOLD_MS = 15 * 60_000;
// Each connection needs a descriptor in the server and in a generator; the server gets headroom for its pools.
const FD_LIMIT = Math.max(...STEPS) + 4096;

interface Generator {
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

/** Starts a generator process holding `tokens` idle connections; resolves once they are all connected (or failed). */
async function startGenerator(fleet: BenchFleet, firstIndex: number, count: number, index: number): Promise<{ generator: Generator; connected: number; failed: number; firstError?: string }> {
  const command = `ulimit -n ${FD_LIMIT} && exec "${process.execPath}" --import tsx "${join(__dirname, 'idle-agents.ts')}"`;
  const child = spawn('sh', ['-c', command], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const plan: IdlePlan = { wsUrl: `ws://127.0.0.1:${PORT}/agent`, tokens: fleet.tokens.slice(firstIndex, firstIndex + count), firstIndex, localAddress: `127.0.0.${2 + index}`, holdMs: HOLD_MS };
  child.stdin?.write(`${JSON.stringify(plan)}\n`);
  const first = await lines.next();
  if (first.done) throw new Error(`generator ${index} exited before connecting`);
  return { generator: { child, lines }, ...(JSON.parse(first.value) as { connected: number; failed: number; firstError?: string }) };
}

/** Closes the generators' stdin (they close their connections and exit); how many the server dropped while idle. */
async function stopGenerators(generators: Generator[]): Promise<number> {
  let dropped = 0;
  for (const g of generators) g.child.stdin?.end();
  for (const g of generators) {
    const last = await g.lines.next();
    if (!last.done) dropped += (JSON.parse(last.value) as { closedByServerWhileIdle: number }).closedByServerWhileIdle;
  }
  return dropped;
}

async function waitForConnected(count: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let connected = 0;
  while (Date.now() < deadline) {
    connected = await metricValue(`http://127.0.0.1:${PORT}`, 'fleetban_agents_connected');
    if (connected === count) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return connected;
}

interface Step {
  connections: number;
  memory: ProcessMemory;
  connectSeconds: number;
}

interface Run {
  baseline: ProcessMemory;
  steps: Step[];
  afterLeaving: ProcessMemory;
  failed: number;
  droppedWhileIdle: number;
}

async function oneRun(fleet: BenchFleet): Promise<Run> {
  const server = await startServer(fleet, 'api', [`--inspect=127.0.0.1:${INSPECTOR_PORT}`]);
  const generators: Generator[] = [];
  try {
    // Settle: let the first pings, presence marks and pool connections happen before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const baseline = await measureMemory(INSPECTOR_PORT);
    const steps: Step[] = [];
    let held = 0;
    let failed = 0;
    for (const target of STEPS) {
      const started = Date.now();
      const starting: Promise<Awaited<ReturnType<typeof startGenerator>>>[] = [];
      for (let index = generators.length; held < target; index++) {
        const count = Math.min(PER_PROCESS, target - held);
        starting.push(startGenerator(fleet, held, count, index));
        held += count;
      }
      for (const outcome of await Promise.all(starting)) {
        generators.push(outcome.generator);
        failed += outcome.failed;
        if (outcome.failed > 0) process.stderr.write(`${outcome.failed} connections failed (${outcome.firstError})\n`);
      }
      const connected = await waitForConnected(held - failed);
      const connectSeconds = (Date.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 3000)); // hello's database writes and presence marks
      steps.push({ connections: connected, memory: await measureMemory(INSPECTOR_PORT), connectSeconds });
      process.stderr.write(`${connected} connections held\n`);
    }
    const droppedWhileIdle = await stopGenerators(generators.splice(0));
    await waitForConnected(0);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { baseline, steps, afterLeaving: await measureMemory(INSPECTOR_PORT), failed, droppedWhileIdle };
  } finally {
    for (const g of generators) g.child.kill('SIGTERM');
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const fleet = await prepareFleet(DATABASE, Math.max(...STEPS), PORT);
  const runs: Run[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      process.stderr.write(`run ${run + 1}/${RUNS}\n`);
      runs.push(await oneRun(fleet));
    }
  } finally {
    await dropFleet(fleet);
  }
  writeResult(runs);
}

function writeResult(runs: Run[]): void {
  const kib = (bytes: number): number => bytes / 1024;
  const steps = STEPS.map((target, i) => {
    const at = runs.map((run) => ({ run, step: run.steps[i] as Step }));
    const per = (pick: (m: ProcessMemory) => number) => spread(at.map(({ run, step }) => kib(pick(step.memory) - pick(run.baseline)) / Math.max(1, step.connections)), 1);
    return {
      target,
      connected: at.map(({ step }) => step.connections),
      connectSeconds: spread(at.map(({ step }) => step.connectSeconds), 1),
      perConnectionKiB: { rss: per((m) => m.rssBytes), heap: per((m) => m.heapUsedBytes), external: per((m) => m.externalBytes + m.arrayBuffersBytes) },
      totalMiB: { rss: spread(at.map(({ step }) => step.memory.rssBytes / 2 ** 20), 1), heap: spread(at.map(({ step }) => step.memory.heapUsedBytes / 2 ** 20), 1) },
    };
  });
  const baseline = { rssMiB: spread(runs.map((r) => r.baseline.rssBytes / 2 ** 20), 1), heapMiB: spread(runs.map((r) => r.baseline.heapUsedBytes / 2 ** 20), 1) };
  const afterLeaving = { rssMiB: spread(runs.map((r) => r.afterLeaving.rssBytes / 2 ** 20), 1), heapMiB: spread(runs.map((r) => r.afterLeaving.heapUsedBytes / 2 ** 20), 1) };
  const headline = [
    ...steps.map((s) => ({
      what: `memory per idle agent connection, ${s.target.toLocaleString('en-US')} connections`,
      // RSS moves by tens of MiB with the allocator's page state: below a few thousand connections its delta is noise.
      figure: `V8 heap ${spreadText(s.perConnectionKiB.heap, ' KiB')}, RSS ${s.perConnectionKiB.rss.min < 0 ? `within its noise (${s.perConnectionKiB.rss.min} to ${s.perConnectionKiB.rss.max} KiB)` : spreadText(s.perConnectionKiB.rss, ' KiB')}; server RSS ${s.totalMiB.rss.median} MiB in all`,
    })),
    { what: 'server heap after every agent left', figure: `${afterLeaving.heapMiB.median} MiB (baseline ${baseline.heapMiB.median} MiB)` },
  ];
  const result = {
    command: 'npx tsx bench/connections/connections.bench.ts',
    date: new Date().toISOString(),
    machine: benchMachine(),
    runs: RUNS,
    note: 'server role api; memory after two full GCs (inspector); per connection = (step - baseline) / connections; medians of the runs with min-max',
    headline,
    baseline,
    steps,
    afterLeaving,
    failedConnections: runs.map((r) => r.failed),
    droppedWhileIdle: runs.map((r) => r.droppedWhileIdle),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'connections.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`connections benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
