// Child of parse.bench.ts: the built parser over a file already in memory, in blocks as `fleetban-agent parse` feeds
// it, several passes in one fresh process. The first pass pays for V8's warm-up (interpreted code, then optimizing
// compiles on the same core); the later ones show the parser warm. Prints {"passesCpuMs": [...]} on stdout.
//   node bench/parse/passes.mjs <file> [passes]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { AsteriskLogParser } = createRequire(import.meta.url)(join(root, 'dist', 'apps', 'agent', 'libs', 'asterisk-log', 'src', 'log-parser.js'));
const [file, passes = '3'] = process.argv.slice(2);
const bytes = readFileSync(file);
const BLOCK = 1 << 19;
const passesCpuMs = [];
for (let pass = 0; pass < Number(passes); pass++) {
  const c0 = process.cpuUsage();
  const parser = new AsteriskLogParser({ timeZone: 'UTC', now: Date.UTC(2026, 11, 1) });
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + BLOCK);
    if (end < bytes.length) end = bytes.lastIndexOf(10, end - 1) + 1;
    parser.pushBytes(bytes, start, end, parser.stats.lines + 1);
    start = end;
  }
  parser.flush();
  const c = process.cpuUsage(c0);
  passesCpuMs.push(Math.round((c.user + c.system) / 1000));
}
process.stdout.write(`${JSON.stringify({ passesCpuMs })}\n`);
