// Propagation with real agents, and fail2ban beside it. From the decisive security-log line written on PBX 1 to the
// ban's element present in the nftables set of PBX 2 and 3 (and of PBX 1 itself), each PBX a network namespace
// enforced by the built `fleetban-agent`, the server the built `fleetban-server` on this machine; then the same
// attack on a PBX guarded by fail2ban alone (its asterisk jail and nftables action), element present in its set.
// Sides alternate run by run in one session. Run alone, as root, after `npm run build`:
//   npx tsx bench/propagation/real-agents.bench.ts        writes bench/results/propagation-real.json
// Knobs: FLEETBAN_BENCH_RUNS (5), FLEETBAN_BENCH_ROUNDS (20 attacks per run), FLEETBAN_BENCH_AGENTS (3 real),
// FLEETBAN_BENCH_SIMULATED (100 simulated agents connected beside them, in their own process),
// FLEETBAN_BENCH_SIDES (fleetban,fleetban-batch0,fail2ban-pyinotify,fail2ban-polling; fleetban-batch0 is the same fleet
// with the agents' spool.batchDelayMs at 0 instead of 100, to show what that default costs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ASTERISK_JAIL } from '@fleetban/policy';
import { NetnsLab, netnsUnavailableReason, sweepStaleNetns } from '../../test/support/netns';
import { freePort } from '../../test/support/server-instance';
import { percentile, prepareFleet, ROOT, startServer, teardownFleet } from '../support/bench-fleet';
import { NftElementWatch } from '../support/nft-element-watch';
import { AttackLog } from './attack-log';
import { Fail2banHost, fail2banUnavailableReason, type Fail2banBackend } from './fail2ban-host';
import { AGENT_SETS, startRealAgents } from './real-agent-fleet';
import { startSimulatedAgents } from './simulated-agents';
import { benchMachine } from '../support/bench-process';

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const load1 = (): number => Math.round((loadavg()[0] ?? NaN) * 100) / 100;
const RUNS = num('FLEETBAN_BENCH_RUNS', 5);
const ROUNDS = num('FLEETBAN_BENCH_ROUNDS', 20);
const AGENTS = num('FLEETBAN_BENCH_AGENTS', 3);
/** Connected beside the real agents, idle, in a separate process: the ban goes to a fleet of AGENTS + SIMULATED. */
const SIMULATED = num('FLEETBAN_BENCH_SIMULATED', 100);
const SIDES = (process.env.FLEETBAN_BENCH_SIDES ?? 'fleetban,fleetban-batch0,fail2ban-pyinotify,fail2ban-polling').split(',');
const JAIL = { maxretry: ASTERISK_JAIL.maxretry, findtime: ASTERISK_JAIL.findtime, bantime: ASTERISK_JAIL.bantime === 'permanent' ? -1 : ASTERISK_JAIL.bantime };
/** Generous: fail2ban's polling backend alone may take seconds. */
const ATTACK_TIMEOUT_MS = 30_000;
/** Before the decisive line, a pause drawn in this range, the same sequence for every side: where it falls in a poll cycle is luck. */
const GAP_MS = [500, 2500] as const;

/** One attack: the first maxretry-1 failures of `ip`, a pause, the decisive failure; ms from its write to each enforcement point. */
interface Side {
  name: string;
  attack(ip: string, gapMs: number): Promise<Record<string, number>>;
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic pauses (mulberry32), so each side meets the same sequence. */
function gaps(seed: number, count: number): number[] {
  let a = seed;
  return Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const unit = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return Math.round(GAP_MS[0] + unit * (GAP_MS[1] - GAP_MS[0]));
  });
}

async function fleetbanSide(lab: NetnsLab, name: string, batchDelayMs: number | undefined): Promise<Side> {
  // A free port, not a fixed one: other benchmarks may be serving theirs, and readiness would be asked of them.
  const fleet = await prepareFleet(`fleetban_bench_propagation_real_${name.replace(/\W/g, '_')}`, AGENTS + SIMULATED, await freePort());
  const server = await startServer(fleet, 'all');
  const { agents, stop } = await startRealAgents(lab, fleet, AGENTS, { batchDelayMs }).catch(async (error: unknown) => {
    await teardownFleet(fleet, server);
    throw error;
  });
  const simulated = await (SIMULATED > 0 ? startSimulatedAgents(fleet, AGENTS, SIMULATED) : Promise.resolve({ stop: async () => undefined })).catch(async (error: unknown) => {
    await stop();
    await teardownFleet(fleet, server);
    throw error;
  });
  const writer = new AttackLog(agents[0]?.log as string);
  return {
    name,
    async attack(ip, gapMs) {
      writer.fail(ip, JAIL.maxretry - 1);
      await sleep(gapMs);
      const present = agents.map((agent) => agent.watch.waitFor(ip, AGENT_SETS, ATTACK_TIMEOUT_MS));
      const written = writer.fail(ip, 1);
      const at = await Promise.all(present);
      const ms = at.map((t) => t.all - written);
      // PBX 1 wrote the line (local, what fail2ban does); every other PBX is the fleet's addition (allRemote: the slowest).
      return { local: ms[0] ?? NaN, ...Object.fromEntries(agents.slice(1).map((agent, i) => [agent.name, ms[i + 1] ?? NaN])), allRemote: Math.max(...ms.slice(1)) };
    },
    describe: () => ({ agents: AGENTS, simulatedAgents: SIMULATED, agentBatchDelayMs: batchDelayMs ?? 'default (100)', server: 'fleetban-server start, FLEETBAN_ROLE=all, default tunables' }),
    async stop() {
      writer.close();
      await simulated.stop();
      await stop();
      await teardownFleet(fleet, server);
    },
  };
}

async function fail2banSide(lab: NetnsLab, backend: Fail2banBackend): Promise<Side> {
  const netns = await lab.netns(`f2b${backend.slice(0, 4)}`);
  const watch = await NftElementWatch.start(netns);
  const host = await Fail2banHost.start(netns, backend, JAIL);
  const writer = new AttackLog(host.log);
  return {
    name: `fail2ban-${backend}`,
    async attack(ip, gapMs) {
      writer.fail(ip, JAIL.maxretry - 1);
      // Like fleetban's server, fail2ban has counted the first failures before the decisive one comes.
      await host.waitForFound(ip, JAIL.maxretry - 1, ATTACK_TIMEOUT_MS);
      await sleep(gapMs);
      const present = watch.waitFor(ip, Fail2banHost.SETS, ATTACK_TIMEOUT_MS);
      const written = writer.fail(ip, 1);
      const at = await present;
      return { firstSet: at.first - written, bothSets: at.all - written };
    },
    describe: () => ({ backendInitiated: host.initiatedBackend(), banaction: 'nftables-multiport (jail.conf asterisk action: one set for tcp, one for udp)' }),
    async stop() {
      writer.close();
      watch.stop();
      await host.stop();
    },
  };
}

type Samples = Record<string, number[][]>; // metric -> per run -> ms

const ms = (v: number): number => Math.round(v * 10) / 10;

/** Median, min and max of per-run figures, and the runs themselves. */
function spread(runs: number[]): { median: number; min: number; max: number; runs: number[] } {
  return { median: ms(percentile(runs, 50)), min: ms(Math.min(...runs)), max: ms(Math.max(...runs)), runs: runs.map(ms) };
}

function summarize(samples: Samples): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(samples).map(([metric, runs]) => {
      const pooled = runs.flat();
      return [
        metric,
        {
          p50OfRuns: spread(runs.map((r) => percentile(r, 50))),
          p99OfRuns: spread(runs.map((r) => percentile(r, 99))),
          pooled: { attacks: pooled.length, p50: ms(percentile(pooled, 50)), p99: ms(percentile(pooled, 99)), max: ms(Math.max(...pooled)) },
        },
      ];
    }),
  );
}

async function startSides(lab: NetnsLab, sides: Side[], skipped: Record<string, string>): Promise<void> {
  for (const name of SIDES) {
    if (name === 'fleetban') sides.push(await fleetbanSide(lab, name, undefined));
    else if (name === 'fleetban-batch0') sides.push(await fleetbanSide(lab, name, 0));
    else if (name === 'fail2ban-polling' || name === 'fail2ban-pyinotify') {
      const backend = name.slice('fail2ban-'.length) as Fail2banBackend;
      const reason = fail2banUnavailableReason(backend);
      if (reason) skipped[name] = reason;
      else sides.push(await fail2banSide(lab, backend));
    } else throw new Error(`unknown side ${name}; known: fleetban, fleetban-batch0, fail2ban-pyinotify, fail2ban-polling`);
  }
}

/** RUNS runs of ROUNDS attacks on every side, the sides taking turns (their order rotating each run). */
async function session(sides: Side[]): Promise<{ samples: Map<string, Samples>; loadPerRun: number[] }> {
  // Warm-up, not counted: fail2ban creates its table at its first ban, and every first path is cold.
  for (const side of sides) await side.attack('203.0.113.250', 1000);
  const samples = new Map<string, Samples>(sides.map((s) => [s.name, {}]));
  const loadPerRun: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    loadPerRun.push(load1());
    const pauses = gaps(run + 1, ROUNDS);
    for (const side of [...sides.slice(run % sides.length), ...sides.slice(0, run % sides.length)]) {
      const bySide = samples.get(side.name) as Samples;
      for (let round = 0; round < ROUNDS; round++) {
        const result = await side.attack(`203.0.113.${run * ROUNDS + round + 1}`, pauses[round] as number);
        for (const [metric, value] of Object.entries(result)) ((bySide[metric] ??= Array.from({ length: RUNS }, () => []))[run] as number[]).push(value);
      }
      const p50s = Object.fromEntries(Object.entries(bySide).map(([metric, runs]) => [metric, Math.round(percentile(runs[run] as number[], 50))]));
      process.stdout.write(`run ${run + 1}/${RUNS} ${side.name}: p50 ms ${JSON.stringify(p50s)} (load ${load1()})\n`);
    }
  }
  return { samples, loadPerRun };
}

async function main(): Promise<void> {
  const unavailable = netnsUnavailableReason(['ip', 'nft']);
  if (unavailable) throw new Error(`cannot run: ${unavailable}`);
  if (AGENTS < 2) throw new Error('FLEETBAN_BENCH_AGENTS must be at least 2: one PBX writes, the others receive');
  if (1 + RUNS * ROUNDS > 250) throw new Error('FLEETBAN_BENCH_RUNS x FLEETBAN_BENCH_ROUNDS must stay under 250 (one address of 203.0.113.0/24 per attack)');
  sweepStaleNetns();
  const lab = new NetnsLab();
  const sides: Side[] = [];
  const skipped: Record<string, string> = {};
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    await startSides(lab, sides, skipped);
    const { samples, loadPerRun } = await session(sides);
    const result = {
      command: 'npx tsx bench/propagation/real-agents.bench.ts',
      date: new Date().toISOString(),
      machine: { ...benchMachine(), loadavgAtStart: loadStart, loadavg1mPerRun: loadPerRun },
      runs: RUNS,
      attacksPerRun: ROUNDS,
      jail: { ...JAIL, note: 'fleetban asterisk preset; fail2ban asterisk jail from jail.conf with these three values' },
      pauseBeforeDecisiveLineMs: GAP_MS,
      measured: 'write of the decisive security-log line to its element reported by nft monitor in the PBX namespace (ms)',
      sides: Object.fromEntries(sides.map((s) => [s.name, { ...s.describe(), ...summarize(samples.get(s.name) as Samples) }])),
      skipped,
      goal: { p99Ms: 200, of: 'fleetban allRemote (issue #5)' },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'propagation-real.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const side of sides) await side.stop().catch((error: Error) => process.stderr.write(`stopping ${side.name}: ${error.message}\n`));
    await lab.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`real-agents propagation benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
