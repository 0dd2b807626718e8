// Agent log path throughput: lines followed, turned into events and spooled durably (follower -> pump -> spool),
// the cost of a group commit's fdatasync, and resident memory while following 10,000 lines/s.
// Run: npx tsx bench/spool/follow-spool.bench.ts [latency|backlog|steady] [lines=200000]
// Each section in its own process gives a fair RSS figure (memory is not given back between sections). The lines go
// through the agent's own parser (FleetLineParser), as in `fleetban-agent run`. All sections: bench/results/spool.json.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinePosition } from '../../apps/agent/src/follower/file-identity';
import { LogFollower } from '../../apps/agent/src/follower/log.follower';
import { EventSpool } from '../../apps/agent/src/spool/event.spool';
import type { SpoolSync } from '../../apps/agent/src/spool/segment.writer';
import { LinePump } from '../../apps/agent/src/spool/line.pump';
import { FleetLineParser } from '../../apps/agent/src/runtime/line-parser';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { benchMachine } from '../support/bench-process';

const headline: Array<{ what: string; figure: string; goal?: string }> = [];
const startRss = process.memoryUsage().rss;

const section = process.argv[2] ?? 'all';
const total = Number(process.argv[3] ?? 200_000);
const line = (n: number): string =>
  `[2026-11-29 15:${String(n % 60).padStart(2, '0')}:00] SECURITY[1234] res_security_log.c: SecurityEvent="InvalidPassword",EventTV="2026-11-29T15:00:00.000+0000",Severity="Error",Service="PJSIP",EventVersion="2",AccountID="${n}",SessionID="0x7f${n.toString(16)}",LocalAddress="IPV4/UDP/203.0.113.5/5060",RemoteAddress="IPV4/UDP/198.51.100.${n % 250}/5060",Challenge="1a2b3c",ReceivedChallenge="1a2b3c",ReceivedHash="deadbeef"\n`;
/** The event of line `n`, for the append-latency section (which measures the spool alone). */
const eventOf = (n: number): SecurityEvent => ({ time: Date.now(), type: 'InvalidPassword', failure: true, ip: `198.51.100.${n % 250}`, port: 5060, transport: 'UDP', service: 'PJSIP', account: String(n), session: `0x7f${n.toString(16)}`, localAddress: '203.0.113.5:5060', source: 'security' });

function writeLines(path: string, from: number, count: number): void {
  const fd = openSync(path, 'a');
  const chunk = 2000;
  for (let i = from; i < from + count; i += chunk) {
    let s = '';
    for (let j = i; j < Math.min(from + count, i + chunk); j++) s += line(j);
    writeSync(fd, s);
  }
  closeSync(fd);
}

async function pipeline(dir: string, sync: SpoolSync) {
  const spool = await EventSpool.open<SecurityEvent, LinePosition>({ dir: join(dir, 'spool'), sync, maxBytes: 1 << 30 });
  const follower = await LogFollower.open({ paths: [join(dir, 'security')], cursorFile: join(dir, 'cursor.json'), fromStart: true, pollMs: 50, chunkBytes: Number(process.env.CHUNK ?? 256 * 1024), checkpoints: [...spool.checkpoints().values()] });
  const parser = new FleetLineParser('UTC');
  const pump = new LinePump(follower, spool, (l) => parser.parse(l), () => parser.endOfChunk());
  const running = pump.run();
  return { spool, follower, pump, async stop() { await follower.close(); await running; await spool.close(); } };
}

async function throughput(sync: SpoolSync): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-bench-'));
  writeLines(join(dir, 'security'), 0, total);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const p = await pipeline(dir, sync);
  let rss = 0;
  while (p.pump.stats().lines < total) {
    rss = Math.max(rss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = p.spool.stats();
  await p.stop();
  console.log(`backlog ${total} lines, sync=${sync}: ${Math.round(total / seconds)} lines/s spooled (${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu), spool ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.segments} segments, max RSS ${(rss / 1e6).toFixed(0)} MB`);
  if (sync === 'fdatasync') headline.push({ what: `agent pipeline: a backlog of ${total.toLocaleString('en-US')} security lines followed, parsed and spooled (fdatasync)`, figure: `${Math.round(total / seconds).toLocaleString('en-US')} lines/s` });
  rmSync(dir, { recursive: true, force: true });
}

async function appendLatency(sync: SpoolSync, n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-bench-'));
  const spool = await EventSpool.open<SecurityEvent>({ dir, sync });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await spool.append([eventOf(i)]);
  const ms = (performance.now() - t0) / n;
  await spool.close();
  console.log(`one event per append, awaited, sync=${sync}: ${(ms * 1000).toFixed(0)} µs per durable append (${Math.round(1000 / ms)} appends/s)`);
  rmSync(dir, { recursive: true, force: true });
}

async function steadyRate(rate: number, seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-bench-'));
  writeLines(join(dir, 'security'), 0, 0);
  const p = await pipeline(dir, 'fdatasync');
  const cpu0 = process.cpuUsage();
  let written = 0;
  let rss = 0;
  const tickMs = 10;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const due = Math.round(((seconds * 1000 - (end - Date.now())) / 1000) * rate) - written;
    if (due > 0) writeLines(join(dir, 'security'), written, due);
    written += Math.max(0, due);
    rss = Math.max(rss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, tickMs));
  }
  while (p.pump.stats().lines < written) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(cpu0);
  await p.stop();
  const heap = process.memoryUsage();
  console.log(`steady ${rate} lines/s for ${seconds} s (fdatasync): ${written} lines spooled, cpu ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core (includes the writer), max RSS ${(rss / 1e6).toFixed(0)} MB (heap used ${(heap.heapUsed / 1e6).toFixed(0)} MB of ${(heap.heapTotal / 1e6).toFixed(0)} MB, external ${(heap.external / 1e6).toFixed(0)} MB, arrayBuffers ${(heap.arrayBuffers / 1e6).toFixed(0)} MB)`);
  headline.push({ what: `agent pipeline at ${rate.toLocaleString('en-US')} lines/s appended (follow, parse, spool with fdatasync)`, figure: `${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core, max RSS ${(rss / 1e6).toFixed(0)} MB of this process, which held ${(startRss / 1e6).toFixed(0)} MB before the first section (the tsx loader)`, goal: 'RSS ≤ 80 MB' });
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, tmpdir ${tmpdir()}, start RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  if (section === 'all' || section === 'latency') {
    await appendLatency('fdatasync', 500);
    await appendLatency('none', 500);
  }
  if (section === 'all' || section === 'backlog') {
    await throughput('fdatasync');
    await throughput('none');
  }
  if (section === 'all' || section === 'steady') await steadyRate(10_000, 5);
  if (section !== 'all') return;
  const result = { command: 'npx tsx bench/spool/follow-spool.bench.ts', date: new Date().toISOString(), machine: benchMachine(), lines: total, headline };
  mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(join(__dirname, '..', 'results', 'spool.json'), `${JSON.stringify(result, null, 2)}\n`);
}

void main();
