#!/usr/bin/env node
// Bundles the agent into one self-contained file, dist/fleetban-agent.js, for hosts that get no node_modules:
// copy it next to Node 20 and nftables, and it runs (see docs/agent.md and packaging/install-agent.sh).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'fleetban-agent.js');
await build({
  entryPoints: [join(root, 'apps', 'agent', 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  tsconfig: join(root, 'tsconfig.json'),
  // ws loads these native speed-ups only if present; the agent does without them.
  external: ['bufferutil', 'utf-8-validate'],
  // A small young generation keeps the agent's RSS under 80 MB at 10,000 lines/s; V8 reads the flag only at start.
  banner: { js: '#!/usr/bin/env -S node --max-semi-space-size=2' },
  legalComments: 'none',
  logLevel: 'warning',
});
process.stdout.write(`${outfile}\n`);
