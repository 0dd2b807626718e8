#!/usr/bin/env node
// Builds every app into dist/ (Nest CLI, tsc builder), after generating the Prisma client.
// Run by `npm ci` (prepare) and by scripts/bootstrap.mjs when sources are newer than the last build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

if (existsSync(join(root, 'prisma', 'schema.prisma'))) {
  // `prisma generate` needs no engine, but it checks that one exists and would try to download it
  // (there is no network here, nor on many PBX networks): point it at any existing file.
  run(bin('prisma'), ['generate'], { PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' });
}
for (const app of ['agent', 'server', 'cli']) {
  if (existsSync(join(root, 'apps', app, 'src', 'main.ts'))) run(bin('nest'), ['build', app]);
}
if (existsSync(join(root, 'apps', 'agent', 'src', 'main.ts'))) run(process.execPath, [join(root, 'scripts', 'bundle-agent.mjs')]);
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', '.build-stamp'), new Date().toISOString());
