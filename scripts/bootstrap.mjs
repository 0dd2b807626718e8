#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when node_modules is missing or older than the lock,
// builds when sources are newer than dist/, and (as root on Debian) installs nftables and iproute2,
// which the enforcement tests and the demo use. Safe to run any number of times.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'generated') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : mtime(path));
  }
  return newest;
}

const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || mtime(join(root, 'package-lock.json')) > mtime(installed)) {
  say('installing dependencies (npm ci), which also builds');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

const stamp = join(root, 'dist', '.build-stamp');
const sources = Math.max(...['apps', 'libs', 'prisma'].map((d) => newestSource(join(root, d))), mtime(join(root, 'package.json')));
if (sources > mtime(stamp)) {
  say('sources changed since the last build: building');
  run('node', [join(root, 'scripts', 'build.mjs')]);
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (process.getuid?.() === 0 && has('apt-get') && (!has('nft') || !has('ip'))) {
  say('installing nftables and iproute2 (apt-get), for the firewall tests and the demo');
  const quiet = { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-q'], quiet);
  execFileSync('apt-get', ['install', '-y', '-q', 'nftables', 'iproute2'], quiet);
}
