// Parse throughput of @fleetban/asterisk-log, and of fail2ban-regex with fail2ban's asterisk filter on the same lines.
//   npx tsx bench/parse/parse.bench.ts [--lines 1000000] [--seed 42] [--runs 5] [--f2b-lines <all>]
// Writes bench/results/parse.json. CPU time (user+sys) is the headline: on a shared machine wall time mostly
// measures the neighbours. Child processes are pinned to one core with taskset when it exists.
// Like with like: the goal's ratio is `fleetban-agent parse` against fail2ban-regex, both reading and decoding the
// same whole file on one core, start-up CPU taken off both; the in-process figure (the parser alone, lines already
// in memory) is compared with the same fail2ban-regex figure for information only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AsteriskLogParser, parseLine } from '@fleetban/asterisk-log';
import { generateAsteriskLog } from '../generate/asterisk-log.generator';

const root = join(__dirname, '..', '..');
const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' }, runs: { type: 'string', default: '5' }, 'f2b-lines': { type: 'string' } } });
const LINES = Number(values.lines);
const SEED = Number(values.seed);
const RUNS = Number(values.runs);
const F2B_LINES = Math.min(Number(values['f2b-lines'] ?? LINES), LINES);
const FILTER = '/etc/fail2ban/filter.d/asterisk.conf';
const NOW = Date.UTC(2026, 11, 1);

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const pin = has('taskset') ? 'taskset -c 0 ' : '';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round = (v: number): number => Math.round(v);

function dataFile(): string {
  const dir = join(root, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `asterisk-mixed-${LINES}-seed${SEED}.log`);
  if (!existsSync(file)) {
    const out: string[] = [];
    for (const line of generateAsteriskLog({ lines: LINES, seed: SEED })) out.push(line);
    writeFileSync(file, `${out.join('\n')}\n`);
  }
  return file;
}

interface Series {
  lines: number;
  bytes: number;
  runs: Array<{ cpuMs: number; wallMs: number }>;
  cpuLinesPerSec: { median: number; min: number; max: number };
  wallLinesPerSec: number;
  cpuMBPerSec: number;
}

function series(lines: number, bytes: number, runs: Array<{ cpuMs: number; wallMs: number }>): Series {
  const rates = runs.map((r) => lines / (r.cpuMs / 1000));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  return { lines, bytes, runs, cpuLinesPerSec: { median: round(median(rates)), min: round(Math.min(...rates)), max: round(Math.max(...rates)) }, wallLinesPerSec: round(lines / (median(runs.map((r) => r.wallMs)) / 1000)), cpuMBPerSec: Math.round((bytes / 1e6 / (cpuMs / 1000)) * 10) / 10 };
}

/** Parses `lines` in this process `RUNS` times (after one warm-up run). */
function inProcess(lines: string[]): Series {
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const once = (): { cpuMs: number; wallMs: number } => {
    const parser = new AsteriskLogParser({ timeZone: 'UTC', now: NOW });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i++) parser.push(lines[i] as string, i + 1);
    parser.flush();
    const c = process.cpuUsage(c0);
    return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 };
  };
  once();
  return series(lines.length, bytes, Array.from({ length: RUNS }, once));
}

/** Runs a shell command under bash's `time`; returns its output and its CPU and wall time. */
function timed(command: string): { out: string; cpuMs: number; wallMs: number; status: number } {
  const script = `TIMEFORMAT='%R %U %S'; { time ${pin}${command} > /tmp/fleetban-bench.out 2>&1 ; } 2> /tmp/fleetban-bench.time; echo $?`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const [real, user, sys] = readFileSync('/tmp/fleetban-bench.time', 'utf8').trim().split(/\s+/).map(Number) as [number, number, number];
  return { out: readFileSync('/tmp/fleetban-bench.out', 'utf8'), cpuMs: (user + sys) * 1000, wallMs: real * 1000, status: Number(r.stdout.trim()) };
}

/** A command's throughput with its start-up cost (measured on a one-line input) taken off, in its favour. */
function external(name: string, command: (file: string) => string, file: string, lines: number, bytes: number, runs: number): Series & { command: string; startupCpuMs: number; raw: Series } {
  const oneLine = join(root, 'bench', 'data', 'one-line.log');
  writeFileSync(oneLine, 'Asterisk 22.10.1 built by root @ pbx on a x86_64 running Linux on 2026-11-01 10:00:00 UTC\n');
  const startup = median([0, 1, 2].map(() => timed(command(oneLine)).cpuMs));
  const measured = Array.from({ length: runs }, () => {
    const t = timed(command(file));
    if (t.status !== 0) throw new Error(`${name} failed (${t.status}): ${t.out.slice(0, 500)}`);
    return { cpuMs: t.cpuMs, wallMs: t.wallMs };
  });
  const net = measured.map((r) => ({ cpuMs: Math.max(1, r.cpuMs - startup), wallMs: r.wallMs }));
  return { ...series(lines, bytes, net), command: `${pin}${command(file)}`, startupCpuMs: round(startup), raw: series(lines, bytes, measured) };
}

/**
 * The built parser over the file in blocks, in fresh processes pinned to one core: the first pass of each pays for
 * V8's warm-up (interpreted code, then optimizing compiles on that same core), as `fleetban-agent parse` does; the
 * later passes show the parser warm. Medians over `runs` processes.
 */
function blockPasses(file: string, lines: number, runs: number): { firstPassLinesPerSec: number; warmLinesPerSec: number; passesCpuMs: number[][]; command: string } {
  const command = `${pin}node bench/parse/passes.mjs ${file.slice(root.length + 1)} 3`;
  const passesCpuMs = Array.from({ length: runs }, () => {
    const r = spawnSync('bash', ['-c', command], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`passes.mjs failed (${r.status}): ${r.stderr.slice(0, 500)}`);
    return (JSON.parse(r.stdout) as { passesCpuMs: number[] }).passesCpuMs;
  });
  const rate = (ms: number): number => round(lines / (ms / 1000));
  return { firstPassLinesPerSec: rate(median(passesCpuMs.map((p) => p[0] as number))), warmLinesPerSec: rate(median(passesCpuMs.flatMap((p) => p.slice(1)))), passesCpuMs, command };
}

const loadAverage = (): number[] => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

function main(): void {
  const loadAtStart = loadAverage();
  const file = dataFile();
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const relevant = lines.filter((l) => parseLine(l, { timeZone: 'UTC', now: NOW }).kind !== 'ignored');
  const noise = lines.filter((l) => parseLine(l, { timeZone: 'UTC', now: NOW }).kind === 'ignored');
  console.log(`input: ${file} (${lines.length} lines, ${relevant.length} security-relevant, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB)`);

  const all = inProcess(lines);
  const onNoise = inProcess(noise);
  const onRelevant = inProcess(relevant);
  console.log(`fleetban parser, in process: ${all.cpuLinesPerSec.median} lines/s CPU (min ${all.cpuLinesPerSec.min}, max ${all.cpuLinesPerSec.max}), ${all.cpuMBPerSec} MB/s; non-matching ${onNoise.cpuLinesPerSec.median} lines/s, matching ${onRelevant.cpuLinesPerSec.median} lines/s`);

  const bin = join(root, 'bin', 'fleetban-agent.js');
  const built = existsSync(join(root, 'dist', 'apps', 'agent', 'apps', 'agent', 'src', 'main.js'));
  const cli = built ? external('fleetban-agent parse', (f) => `node ${bin} parse ${f}`, file, lines.length, Buffer.byteLength(text), 3) : null;
  if (cli !== null) console.log(`fleetban-agent parse (end to end, streamed): ${cli.cpuLinesPerSec.median} lines/s CPU, start-up ${cli.startupCpuMs} ms CPU`);
  const passes = built ? blockPasses(file, lines.length, 3) : null;
  if (passes !== null) console.log(`parser over blocks (pushBytes), fresh process: first pass ${passes.firstPassLinesPerSec} lines/s CPU, warm ${passes.warmLinesPerSec} lines/s CPU`);

  let f2b = null;
  if (has('fail2ban-regex') && existsSync(FILTER)) {
    // The same file unless --f2b-lines asks for a head of it (fail2ban-regex needs ~25 s of CPU per million lines).
    let f2bFile = file;
    let f2bBytes = Buffer.byteLength(text);
    if (F2B_LINES < lines.length) {
      f2bFile = join(root, 'bench', 'data', `asterisk-mixed-slice-${F2B_LINES}-seed${SEED}.log`);
      const sliceText = `${lines.slice(0, F2B_LINES).join('\n')}\n`;
      writeFileSync(f2bFile, sliceText);
      f2bBytes = Buffer.byteLength(sliceText);
    }
    f2b = external('fail2ban-regex', (f) => `fail2ban-regex ${f} ${FILTER}`, f2bFile, F2B_LINES, f2bBytes, 3);
    console.log(`fail2ban-regex on ${F2B_LINES === lines.length ? 'the same file' : `the first ${F2B_LINES} lines`}: ${f2b.cpuLinesPerSec.median} lines/s CPU (start-up ${f2b.startupCpuMs} ms CPU taken off)`);
  } else {
    console.log('fail2ban-regex not installed (apt-get install -y fail2ban): no comparison');
  }

  const ratio = (s: Series | null): number | null => (s === null || f2b === null ? null : Math.round((s.cpuLinesPerSec.median / f2b.cpuLinesPerSec.median) * 10) / 10);
  const result = {
    bench: 'parse',
    date: new Date().toISOString(),
    command: 'npx tsx bench/parse/parse.bench.ts',
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, pinnedToOneCore: pin !== '', loadAverageAtStart: loadAtStart, loadAverage: loadAverage() },
    input: { file: file.slice(root.length + 1), lines: lines.length, relevantLines: relevant.length, bytes: Buffer.byteLength(text), generator: 'bench/generate/asterisk-log.generator.ts', seed: SEED },
    fleetban: { inProcess: all, nonMatching: onNoise, matching: onRelevant, cli, blockPasses: passes },
    fail2ban: f2b === null ? null : { ...f2b, lines: F2B_LINES, note: `${F2B_LINES === lines.length ? 'the same file' : `the first ${F2B_LINES} lines of the same file`}, one core, start-up CPU subtracted` },
    ratio: {
      cliVsFail2ban: ratio(cli),
      inProcessVsFail2ban: ratio(all),
      goal: 50,
      note: 'cliVsFail2ban is like with like (both read and decode the file, one core, start-up CPU off both) and is the one the goal is about; inProcessVsFail2ban sets the parser alone, lines in memory, against the whole of fail2ban-regex',
    },
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'parse.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`ratio (CPU lines/s): end to end (like with like) ${result.ratio.cliVsFail2ban}x, parser alone ${result.ratio.inProcessVsFail2ban}x fail2ban-regex (goal 50x); load average ${result.machine.loadAverage.join(' ')}; written to bench/results/parse.json`);
}

main();
