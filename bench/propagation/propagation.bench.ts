// Propagation benchmark: from the decisive event arriving at the server to the ban delta delivered to every one
// of 100 connected agents. The server (the built bin, role all: gateway, ingest and ban engine in one process)
// runs apart from this process, which holds the 100 simulated agents on real WebSockets.
// Run alone: `npx tsx bench/propagation/propagation.bench.ts` (after `npm run build`). Writes bench/results/propagation.json.
// Knobs: FLEETBAN_BENCH_AGENTS (100), FLEETBAN_BENCH_ROUNDS (30), FLEETBAN_BENCH_WARMUP (20 unmeasured rounds first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, prepareFleet, ROOT, startServer, teardownFleet } from '../support/bench-fleet';
import { measurePropagation } from '../support/propagation-rounds';
import { benchMachine } from '../support/bench-process';

const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 100);
const ROUNDS = Number(process.env.FLEETBAN_BENCH_ROUNDS ?? 30);
const WARMUP = Number(process.env.FLEETBAN_BENCH_WARMUP ?? 20);
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_432);

async function main(): Promise<void> {
  const fleet = await prepareFleet('fleetban_bench_propagation', AGENTS, PORT);
  const server = await startServer(fleet, 'all');
  try {
    const { toEveryAgent: allAgents, toEachAgent: perAgent } = await measurePropagation([`ws://127.0.0.1:${PORT}/agent`], fleet.tokens, ROUNDS, 0, WARMUP);
    const ms = (v: number) => Math.round(v * 10) / 10;
    const result = {
      command: 'npx tsx bench/propagation/propagation.bench.ts',
      date: new Date().toISOString(),
      machine: benchMachine(),
      agents: AGENTS,
      rounds: ROUNDS,
      warmupRounds: WARMUP,
      decisiveEventToEveryAgentMs: { p50: ms(percentile(allAgents, 50)), p99: ms(percentile(allAgents, 99)), max: ms(Math.max(...allAgents)) },
      decisiveEventToEachAgentMs: { p50: ms(percentile(perAgent, 50)), p99: ms(percentile(perAgent, 99)) },
      note: 'includes the ingest transaction, the evaluate job (BullMQ), the decision, the ban transaction and the fan-out',
      goal: { p99ServerSideMs: 50 },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'propagation.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await teardownFleet(fleet, server);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`propagation benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
