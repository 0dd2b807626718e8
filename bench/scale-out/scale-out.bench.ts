// Scale-out benchmark: the same fleet against one instance (FLEETBAN_ROLE=all: gateway, ingest and ban engine in
// one process) and against two API instances (FLEETBAN_ROLE=api, agents split between them) with a separate
// FLEETBAN_ROLE=worker process, alternating in one session. Each run measures, on each layout:
//   propagation: decisive event sent to instance 1 -> the ban delta on every agent (half of them on instance 2,
//                so the delta crosses Redis pub/sub);
//   ingest:      two load-generator processes (one per instance, both on the one instance otherwise), every agent
//                with a backlog; events/s stored, and the CPU per event of all fleetban processes and PostgreSQL.
// On this 2-core machine the extra processes compete for the same cores: the figure shows what distribution
// costs or gains here, not what more machines would give.
// Run alone: `npx tsx bench/scale-out/scale-out.bench.ts` (after `npm run build`). Writes bench/results/scale-out.json.
// Knobs: FLEETBAN_BENCH_AGENTS (100), FLEETBAN_BENCH_ROUNDS (20), FLEETBAN_BENCH_RUNS (3), FLEETBAN_BENCH_SECONDS (10).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad, saturatedPlan, startFresh } from '../ingest/ingest.bench';
import { dropFleet, percentile, prepareFleet, ROOT, startServer, type BenchFleet } from '../support/bench-fleet';
import { measurePropagation } from '../support/propagation-rounds';
import { spread, spreadText, type Spread } from '../support/spread';
import { benchMachine } from '../support/bench-process';
import { waitForIdleEngine } from '../support/server-settle';

const DATABASE = 'fleetban_bench_scale_out';
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_434);
const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 100);
const ROUNDS = Number(process.env.FLEETBAN_BENCH_ROUNDS ?? 20);
const RUNS = Number(process.env.FLEETBAN_BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.FLEETBAN_BENCH_SECONDS ?? 10);
// The ingest phase's events are failures of thousands of IPs: the engine bans them all, as it would in a flood.
// The circuit breaker would pause that after 500 bans a minute and make the layouts do different work.
process.env.FLEETBAN_BREAKER_LIMIT ??= '10000000';

interface Layout {
  name: string;
  processes: ChildProcess[];
  /** The instances agents connect to. */
  ports: number[];
}

async function startLayout(fleet: BenchFleet, split: boolean): Promise<Layout> {
  if (!split) return { name: 'one instance (role all)', processes: [await startServer(fleet, 'all')], ports: [PORT] };
  const processes = await Promise.all([startServer(fleet, 'api', [], PORT), startServer(fleet, 'api', [], PORT + 1), startServer(fleet, 'worker', [], PORT + 2)]);
  return { name: 'two instances (role api) + a worker', processes, ports: [PORT, PORT + 1] };
}

async function stopLayout(layout: Layout): Promise<void> {
  await Promise.all(
    layout.processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }),
  );
}

interface Sample {
  propagationP50Ms: number;
  propagationP99Ms: number;
  eventsPerSecond: number;
  cpuPerEventUs: number;
  ackP99Ms: number;
  /** After the ingest phase: until the engine had evaluated every address of the flood (null: not within 5 min). */
  backlogDrainS: number | null;
  errors: number;
}

async function measure(fleet: BenchFleet, split: boolean, block: number): Promise<Sample> {
  const layout = await startLayout(fleet, split);
  try {
    await waitForIdleEngine(fleet);
    const urls = layout.ports.map((port) => `ws://127.0.0.1:${port}/agent`);
    const propagation = await measurePropagation(urls, fleet.tokens, ROUNDS, block);
    await startFresh(layout.ports.map((port) => `http://127.0.0.1:${port}`), DATABASE);
    // Two generators either way, so the load side is the same for both layouts.
    const halves = [fleet.tokens.slice(0, AGENTS / 2), fleet.tokens.slice(AGENTS / 2)];
    const plans = halves.map((tokens, i) => ({ wsUrl: urls[i % urls.length] as string, tokens, durationMs: SECONDS * 1000, ...saturatedPlan(AGENTS), runId: `so${block}-${i}` }));
    const load = await runLoad(plans, layout.processes.map((p) => p.pid ?? 0), DATABASE);
    // The flood's evaluations are this layout's work: drained here, they neither count against the next layout's
    // propagation rounds nor are left behind.
    const drainMs = await waitForIdleEngine(fleet);
    return {
      propagationP50Ms: percentile(propagation.toEveryAgent, 50),
      propagationP99Ms: percentile(propagation.toEveryAgent, 99),
      eventsPerSecond: load.eventsInWindow / SECONDS,
      cpuPerEventUs: ((load.cpu.serverMs + load.cpu.postgresMs) * 1000) / Math.max(1, load.events),
      ackP99Ms: load.latencyMs.p99,
      backlogDrainS: drainMs === null ? null : Math.round(drainMs / 100) / 10,
      errors: load.errors,
    };
  } finally {
    await stopLayout(layout);
  }
}

async function main(): Promise<void> {
  // The ingest load bans thousands of addresses: past the circuit breaker's 500 a minute, automatic banning would
  // pause (as it should in production) and the next layout's propagation rounds would wait for nothing.
  process.env.FLEETBAN_BREAKER_LIMIT = '10000000';
  const fleet = await prepareFleet(DATABASE, AGENTS, PORT);
  const samples: Record<'one' | 'split', Sample[]> = { one: [], split: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const split of run % 2 === 0 ? [false, true] : [true, false]) {
        process.stderr.write(`run ${run + 1}/${RUNS}: ${split ? 'two instances + worker' : 'one instance'}\n`);
        samples[split ? 'split' : 'one'].push(await measure(fleet, split, run * 2 + (split ? 1 : 0)));
      }
    }
  } finally {
    await dropFleet(fleet);
  }
  writeResult(samples);
}

function summarize(samples: Sample[]): Record<string, Spread | number> {
  return {
    propagationP50Ms: spread(samples.map((s) => s.propagationP50Ms), 1),
    propagationP99Ms: spread(samples.map((s) => s.propagationP99Ms), 1),
    eventsPerSecond: spread(samples.map((s) => s.eventsPerSecond)),
    cpuPerEventUs: spread(samples.map((s) => s.cpuPerEventUs), 1),
    ackP99Ms: spread(samples.map((s) => s.ackP99Ms), 1),
    backlogDrainS: spread(samples.flatMap((s) => (s.backlogDrainS === null ? [] : [s.backlogDrainS])), 1),
    backlogNotDrained: samples.filter((s) => s.backlogDrainS === null).length,
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
  };
}

function writeResult(samples: Record<'one' | 'split', Sample[]>): void {
  const one = summarize(samples.one) as Record<string, Spread>;
  const split = summarize(samples.split) as Record<string, Spread>;
  const text = (s: Record<string, Spread>): { ingest: string; propagation: string } => ({
    ingest: `${spreadText(s.eventsPerSecond as Spread)} events/s, ${(s.cpuPerEventUs as Spread).median} µs CPU/event (fleetban + PostgreSQL); the flood's bans all decided ${spreadText(s.backlogDrainS as Spread, ' s')} after it`,
    propagation: `p50 ${spreadText(s.propagationP50Ms as Spread, ' ms')}, p99 ${spreadText(s.propagationP99Ms as Spread, ' ms')}`,
  });
  const headline = [
    { what: `scale-out ingest, ${AGENTS} agents with a backlog: one instance`, figure: text(one).ingest },
    { what: `scale-out ingest: two instances + a worker`, figure: text(split).ingest },
    { what: `scale-out propagation to all ${AGENTS} agents: one instance`, figure: text(one).propagation },
    { what: `scale-out propagation: two instances + a worker (half the agents on each)`, figure: text(split).propagation },
  ];
  const result = {
    command: 'npx tsx bench/scale-out/scale-out.bench.ts',
    date: new Date().toISOString(),
    machine: benchMachine(),
    runs: RUNS,
    agents: AGENTS,
    propagationRounds: ROUNDS,
    ingestSeconds: SECONDS,
    ingestPlan: saturatedPlan(AGENTS),
    note: 'layouts alternate within one session; medians of the runs with min-max; propagation figures are per run p50/p99 of the time to every agent; ingest ack p99 is the worse of the two generators',
    headline,
    oneInstance: one,
    twoInstancesAndWorker: split,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'scale-out.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scale-out benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
