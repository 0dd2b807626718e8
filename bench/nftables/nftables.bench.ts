/**
 * Enforcer benchmark: a 100,000-element snapshot, and a one-element delta with 100,000 elements present, applied by the
 * NftablesEnforcer to real nftables in a network namespace created here and removed after.
 *   npx tsx bench/nftables/nftables.bench.ts [--runs 7] [--delta-runs 60]
 * Prints the figures and writes bench/results/nftables.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BanTargetValidator, NftCli, NftSessionRunner, NftablesEnforcer, prepareBans, renderSnapshot, type Ban, type NftRunner } from '@fleetban/nftables';
import { NetnsLab, netnsUnavailableReason } from '../../test/support/netns';

const SIZE = 100_000;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 7);
const DELTA_RUNS = arg('--delta-runs', 60);
const PROTECTED = ['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** 98,000 IPv4 and 1,900 IPv6 addresses and 100 networks, ending over the next few days, like a busy fleet. */
function fleetBans(now: number): Ban[] {
  return Array.from({ length: SIZE }, (_, i): Ban => {
    const until = i % 50 === 0 ? null : now + 600_000 + (i % 5000) * 60_000;
    if (i < 98_000) return { ip: `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`, until };
    if (i < 99_900) return { ip: `2001:db8:${(i & 0xffff).toString(16)}::${(i % 97).toString(16)}`, until };
    return { ip: `100.${64 + (i % 64)}.${i % 256}.0/24`, until };
  });
}

interface Stats {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  p90Ms: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2));
  return { runs: sorted.length, medianMs: at(0.5), minMs: at(0), maxMs: at(1), p90Ms: at(0.9) };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** CPU time (ms) used by this process and its reaped children (nft): unlike wall time, it barely moves with host load. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const childTicks = Number(fields[14]) + Number(fields[15]);
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + (childTicks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

async function timedCpu(action: () => Promise<unknown>, cpu: number[]): Promise<number> {
  const before = cpuMs();
  const wall = await timed(action);
  cpu.push(cpuMs() - before);
  return wall;
}

/**
 * Cold: a new enforcer (as after an agent restart) validates all 100,000 targets. Warm: the periodic re-assertion of the
 * same bans by a running enforcer, whose validator remembers them. Both flush and refill the sets in one batch.
 */
async function benchSnapshot(runner: NftRunner): Promise<Record<string, Stats>> {
  const cold: number[] = [];
  const warm: number[] = [];
  const pure: number[] = [];
  const coldCpu: number[] = [];
  const warmCpu: number[] = [];
  const bans = fleetBans(Date.now());
  for (let run = 0; run < RUNS; run++) {
    const now = Date.now();
    pure.push(await timed(async () => renderSnapshot('fleetban', prepareBans(bans, new BanTargetValidator(PROTECTED), now).elements, now)));
    const enforcer = new NftablesEnforcer({ table: 'fleetban', protected: PROTECTED }, runner);
    await enforcer.ensureTable();
    cold.push(await timedCpu(() => enforcer.applySnapshot(bans, Date.now()), coldCpu));
    warm.push(await timedCpu(() => enforcer.applySnapshot(bans, Date.now()), warmCpu));
  }
  return { cold: stats(cold), warm: stats(warm), coldCpu: stats(coldCpu), warmCpu: stats(warmCpu), prepareAndRenderCold: stats(pure) };
}

async function benchDelta(enforcer: NftablesEnforcer, runs: number): Promise<Stats> {
  const samples: number[] = [];
  // Untimed: the first delta after a snapshot by another process reads the network sets once.
  await enforcer.applyDelta({ add: [], remove: ['203.0.113.255'] }, Date.now());
  for (let run = 0; run < runs; run++) {
    const now = Date.now();
    const ip = `203.0.113.${run % 250}`;
    samples.push(await timed(() => enforcer.applyDelta({ add: [{ ip, until: now + 3_600_000 }], remove: [] }, now)));
    await enforcer.applyDelta({ add: [], remove: [ip] }, now);
  }
  return stats(samples);
}

function environment(): Record<string, string | number> {
  const nft = execFileSync('nft', ['--version']).toString().trim();
  const kernel = execFileSync('uname', ['-r']).toString().trim();
  return { nft, kernel, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)) };
}

async function withEnforcer<T>(runner: NftRunner, body: (enforcer: NftablesEnforcer) => Promise<T>): Promise<T> {
  const enforcer = new NftablesEnforcer({ table: 'fleetban', protected: PROTECTED }, runner);
  try {
    await enforcer.ensureTable();
    return await body(enforcer);
  } finally {
    await enforcer.removeTable();
    await enforcer.close();
  }
}

async function main(): Promise<void> {
  const unavailable = netnsUnavailableReason(['ip', 'nft']);
  if (unavailable !== null) throw new Error(`cannot run the nftables benchmark: ${unavailable}`);
  const lab = new NetnsLab();
  try {
    const netns = await lab.netns('bench');
    const prefix = netns.prefix;
    const session = await withEnforcer(new NftSessionRunner({ prefix }), async (enforcer) => {
      const snapshot = await benchSnapshot(new NftCli({ prefix }));
      const present = (await enforcer.list()).length;
      if (present !== SIZE) throw new Error(`expected ${SIZE} elements in the kernel after a snapshot, found ${present}`);
      return { snapshot, delta: await benchDelta(enforcer, DELTA_RUNS) };
    });
    const cliDelta = await withEnforcer(new NftCli({ prefix }), async (enforcer) => {
      await enforcer.applySnapshot(fleetBans(Date.now()), Date.now());
      return benchDelta(enforcer, Math.min(DELTA_RUNS, 20));
    });
    const result = {
      name: 'nftables enforcer',
      date: new Date().toISOString(),
      command: 'npx tsx bench/nftables/nftables.bench.ts',
      elements: SIZE,
      goals: { snapshotMs: 2000, deltaMs: 20 },
      snapshot100k: session.snapshot,
      deltaOneWith100kPresent: { session: session.delta, spawnPerBatch: cliDelta },
      notes: 'Through `ip netns exec`. Snapshot: validate + render + one `nft -f -` batch (flush 4 sets, add 100k); cold = new enforcer, warm = re-assertion by a running one; *Cpu = CPU ms of node + nft (user+sys), less sensitive to host load than wall time. Delta: kept `nft -i` session (default); spawnPerBatch: one `nft -f -` per delta.',
      environment: environment(),
    };
    const out = join(__dirname, '..', 'results', 'nftables.json');
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${out}\n`);
  } finally {
    await lab.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
