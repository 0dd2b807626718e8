#!/usr/bin/env node
// `npm run bench`: runs every benchmark, one after the other (they measure the same 2 cores), then gathers
// their results into bench/results/latest.json and latest.md. `npm run bench -- parse ingest` runs some only.
// None of them is a test: a missed goal is reported, never a failure.
//
// To add a bench: one BENCHES entry. `result` names the JSON file it writes in bench/results/; give that file a
// `headline` list of { what, figure, goal? } (figure as text, e.g. "41,200 events/s (39,800-42,100)", or
// "not measured: fail2ban is not installed") and the runner prints it in latest.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlineTable } from './support/headlines.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** name -> script, the result file it writes (null: figures in its output only), needsRoot. */
const BENCHES = {
  parse: { script: 'bench/parse/parse.bench.ts', result: 'parse.json' },
  policy: { script: 'bench/policy/evaluate.bench.ts', result: null },
  spool: { script: 'bench/spool/follow-spool.bench.ts', result: 'spool.json' },
  ingest: { script: 'bench/ingest/ingest.bench.ts', result: 'ingest.json' },
  decisions: { script: 'bench/engine/decision-flood.bench.ts', result: 'decision-flood.json' },
  connections: { script: 'bench/connections/connections.bench.ts', result: 'connections.json' },
  'scale-out': { script: 'bench/scale-out/scale-out.bench.ts', result: 'scale-out.json' },
  propagation: { script: 'bench/propagation/propagation.bench.ts', result: 'propagation.json' },
  'propagation-real': { script: 'bench/propagation/real-agents.bench.ts', result: 'propagation-real.json', needsRoot: true },
  nftables: { script: 'bench/nftables/nftables.bench.ts', result: 'nftables.json', needsRoot: true },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}

/** Runs one bench script, bounded to 30 minutes, sampling the load average while it runs. */
async function runBench(script) {
  const child = spawn(tsx, [join(root, script)], { cwd: root, stdio: 'inherit' });
  const loads = [loadavg()[0]];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 5000);
  const killer = setTimeout(() => child.kill('SIGTERM'), 30 * 60_000);
  const [code] = await once(child, 'exit');
  clearInterval(sampler);
  clearTimeout(killer);
  loads.push(loadavg()[0]);
  return { exitCode: code, loadAverage: { start: loads[0], end: loads[loads.length - 1], min: Math.min(...loads), max: Math.max(...loads) } };
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg()[0] };
const results = { machine, startedAt: new Date().toISOString(), benches: {} };
// A partial run (`npm run bench -- decisions`) updates its rows of latest.json and keeps the others, each with when it ran.
const latestJson = join(root, 'bench', 'results', 'latest.json');
if (wanted.length > 0 && existsSync(latestJson)) {
  const previous = JSON.parse(readFileSync(latestJson, 'utf8'));
  for (const [name, outcome] of Object.entries(previous.benches ?? {})) if (name in BENCHES && !wanted.includes(name)) results.benches[name] = { ranAt: previous.startedAt, ...outcome };
}
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const command = `npx tsx ${bench.script}`;
  if (bench.needsRoot && process.getuid?.() !== 0) {
    results.benches[name] = { command, skipped: 'needs root (nftables in a network namespace)' };
    continue;
  }
  process.stdout.write(`\n=== ${name}: ${command}\n`);
  const file = bench.result && join(root, 'bench', 'results', bench.result);
  const started = Date.now();
  const ranAt = new Date(started).toISOString();
  const run = await runBench(bench.script);
  // A result file older than this run belongs to an earlier one: never report it as this run's figure.
  const fresh = file && existsSync(file) && JSON.parse(readFileSync(file, 'utf8'));
  const result = fresh && Date.parse(fresh.date ?? '') >= started - 1000 ? fresh : null;
  results.benches[name] = { command, ranAt, ...run, seconds: Math.round((Date.now() - started) / 1000), result };
}
// Benches in their usual order, whichever run each row comes from.
results.benches = Object.fromEntries(Object.keys(BENCHES).filter((name) => name in results.benches).map((name) => [name, results.benches[name]]));
machine.loadAverageAtEnd = loadavg()[0];
writeFileSync(latestJson, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  join(root, 'bench', 'results', 'latest.md'),
  `# Benchmark run ${results.startedAt}\n\nMachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average (1 min) ${machine.loadAverageAtStart.toFixed(1)} at start, ${machine.loadAverageAtEnd.toFixed(1)} at end, and per bench below (lowest-highest while it ran). Other work may share the machine: figures are lower bounds; CPU-time figures move least with load.\n\n${headlineTable(results.benches)}\n\nAll figures: latest.json, and each bench's README.\n`,
);
process.stdout.write(`\nresults: bench/results/latest.json, bench/results/latest.md\n`);
