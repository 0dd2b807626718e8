#!/usr/bin/env node
// `npm run bench`: runs every benchmark, one after the other (they measure the same 2 cores), then gathers
// their results into bench/results/latest.json and latest.md. `npm run bench -- parse ingest` runs some only.
// None of them is a test: a missed goal is reported, never a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** name -> script and the result file it writes. */
const BENCHES = {
  parse: { script: 'bench/parse/parse.bench.ts', result: 'parse.json' },
  policy: { script: 'bench/policy/evaluate.bench.ts', result: null },
  spool: { script: 'bench/spool/follow-spool.bench.ts', result: null },
  ingest: { script: 'bench/ingest/ingest.bench.ts', result: 'ingest.json' },
  propagation: { script: 'bench/propagation/propagation.bench.ts', result: 'propagation.json' },
  nftables: { script: 'bench/nftables/nftables.bench.ts', result: 'nftables.json', needsRoot: true },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: (await import('node:os')).loadavg()[0] };
const results = { machine, startedAt: new Date().toISOString(), benches: {} };
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  if (bench.needsRoot && process.getuid?.() !== 0) {
    results.benches[name] = { skipped: 'needs root (nftables in a network namespace)' };
    continue;
  }
  process.stdout.write(`\n=== ${name}: npx tsx ${bench.script}\n`);
  const started = Date.now();
  const run = spawnSync(tsx, [join(root, bench.script)], { cwd: root, stdio: 'inherit', timeout: 30 * 60_000 });
  const file = bench.result && join(root, 'bench', 'results', bench.result);
  results.benches[name] = {
    command: `npx tsx ${bench.script}`,
    exitCode: run.status,
    seconds: Math.round((Date.now() - started) / 1000),
    result: file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null,
  };
}
writeFileSync(join(root, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
const rows = Object.entries(results.benches).map(([name, b]) => `| ${name} | ${b.skipped ?? (b.exitCode === 0 ? 'ran' : `exit ${b.exitCode}`)} | ${b.command ?? ''} | ${b.seconds ?? ''} |`);
writeFileSync(
  join(root, 'bench', 'results', 'latest.md'),
  `# Benchmark run ${results.startedAt}\n\nMachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, load average at start ${machine.loadAverageAtStart.toFixed(1)}.\n\n| bench | outcome | command | seconds |\n|---|---|---|---|\n${rows.join('\n')}\n\nFigures: latest.json, and each bench's README.\n`,
);
process.stdout.write(`\nresults: bench/results/latest.json, bench/results/latest.md\n`);
