#!/usr/bin/env node
// The WebAssembly scanner prototype against the same log as the parse bench; see README.md.
//   node bench/parse/wasm-prototype/run.mjs [--passes 4]   (needs clang and lld: apt-get install -y clang lld)
/* global WebAssembly */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { values } = parseArgs({ options: { passes: { type: 'string', default: '4' }, child: { type: 'string' } } });
const log = join(root, 'bench', 'data', 'asterisk-mixed-1000000-seed42.log');
const wasm = join(root, 'bench', 'data', 'scan.wasm');

if (values.child === undefined) {
  if (!existsSync(log)) throw new Error(`${log} is missing: run the parse bench once (npx tsx bench/parse/parse.bench.ts)`);
  if (spawnSync('sh', ['-c', 'command -v clang']).status !== 0) throw new Error('clang is not installed: apt-get install -y clang lld');
  execFileSync('clang', ['--target=wasm32', '-O3', '-nostdlib', '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--initial-memory=268435456', '-o', wasm, join(here, 'scan.c')]);
  // Fresh processes pinned to one core, as the parse bench runs the parser: the first pass pays for any warm-up.
  for (const mode of ['scan', 'events']) {
    const pin = spawnSync('sh', ['-c', 'command -v taskset']).status === 0 ? ['taskset', '-c', '0'] : [];
    const r = spawnSync(pin[0] ?? process.execPath, [...pin.slice(1), ...(pin.length > 0 ? [process.execPath] : []), fileURLToPath(import.meta.url), '--child', mode, '--passes', values.passes], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    process.stdout.write(r.stdout);
  }
} else {
  const require = createRequire(import.meta.url);
  const lib = (name) => require(join(root, 'dist', 'apps', 'agent', 'libs', 'asterisk-log', 'src', name));
  const { shapeAt } = lib('security-shapes.js');
  const { localAddressAt } = lib('remote-address.js');
  const { parseEventTv } = lib('log-time.js');
  const { serviceAt } = lib('security-log.js');
  const file = readFileSync(log);
  const { memory, input, output, scan } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), {}).exports;
  const events = values.child === 'events';
  const quads = new Map();
  const cpuMs = [];
  let counts;
  for (let pass = 0; pass < Number(values.passes); pass++) {
    const c0 = process.cpuUsage();
    counts = { security: 0, otherRelevant: 0, events: 0 };
    for (let from = 0; from < file.length; ) {
      let to = Math.min(file.length, from + (1 << 16));
      if (to < file.length) to = file.lastIndexOf(10, to - 1) + 1;
      const at = input(to - from);
      new Uint8Array(memory.buffer, at, to - from).set(file.subarray(from, to));
      const words = scan();
      const o = new Int32Array(memory.buffer, output(), words);
      // The JS side of a wasm reader: the window as a string, and an event per security line from the offsets.
      const text = events ? file.toString('latin1', from, to) : null;
      for (let i = 0; i < words; ) {
        if (o[i] !== 1) {
          counts.otherRelevant++;
          i += 3;
          continue;
        }
        counts.security++;
        if (text !== null) {
          const b = i + 3;
          let ip = quads.get(o[b + 18]);
          if (ip === undefined) quads.set(o[b + 18], (ip = text.slice(o[b + 16], o[b + 17]).split('').join('')));
          const event = { time: parseEventTv(text, o[b + 2], o[b + 3]), type: shapeAt(text, o[b], o[b + 1])?.type, failure: true, ip, port: o[b + 20], transport: null, service: serviceAt(text, o[b + 6], o[b + 7]), account: o[b + 10] >= 0 ? text.slice(o[b + 10], o[b + 11]) : null, session: text.slice(o[b + 12], o[b + 13]), localAddress: localAddressAt(text, o[b + 14] - 3, o[b + 15]), source: 'security' };
          if (event.ip !== null) counts.events++;
        }
        i += 26;
      }
      from = to;
    }
    const c = process.cpuUsage(c0);
    cpuMs.push(Math.round((c.user + c.system) / 1000));
  }
  process.stdout.write(`${JSON.stringify({ mode: values.child, cpuMsPerPass: cpuMs, ...counts })}\n`);
}
