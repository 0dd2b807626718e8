import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-instance';
import { ENFORCED, expectFleetBans, killDemo, namespacesNamed, processesMentioning, startDemo } from './demo-run';

// The README's first command on a fresh clone of this repository's HEAD: `npm run demo -- --exit` installs (npm ci,
// which builds), then runs the fleet on an embedded PostgreSQL, since DATABASE_URL is not set, and a Redis of its own.
// npm ci takes about a minute on an idle machine and several on a loaded one: the run is bounded at 12 minutes.
// The clone sits in a folder of mode 0700, as a newcomer's /root/fleetban does: as root the embedded cluster runs as
// the system user postgres, who cannot enter it, so the demo keeps that cluster's binaries and data in SHARED_HOME.
const BOUND_MS = 12 * 60_000;
const SHARED_HOME = '/var/lib/fleetban-demo';
const AS_ROOT = process.getuid?.() === 0;

describe('npm run demo on a clean clone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-clone-'));
  const clone = join(dir, 'fleetban');
  const dataDir = AS_ROOT ? join(SHARED_HOME, 'postgres') : join(clone, '.fleetban', 'postgres');
  // A user's demo data there must survive the test: only what this run created goes.
  const createdShared = AS_ROOT && !existsSync(SHARED_HOME);
  // A clone with its node_modules is tens of thousands of files: minutes to delete on a loaded machine.
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (createdShared) await rm(SHARED_HOME, { recursive: true, force: true });
  }, 300_000);

  it('installs, builds, starts an embedded PostgreSQL and bans every scripted attacker', async () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'FLEETBAN_TEST_TEMPLATE']) delete env[name];
    // As from a fresh shell: not the npm_* settings of the `npm test` that runs this; cached packages are used first.
    for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
    env.npm_config_prefer_offline = 'true';
    const demo = startDemo('npm', ['run', 'demo', '--', '--exit'], clone, env);
    const code = await Promise.race([demo.exited, new Promise((r) => setTimeout(() => r('over the bound'), BOUND_MS))]);
    killDemo(demo);
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).toContain('installing dependencies (npm ci)');
    expect(output).toContain(`PostgreSQL: embedded (DATABASE_URL is not set), data in ${dataDir}`);
    if (AS_ROOT) expect(output).toContain(`cannot enter ${clone}: its binaries and its data are kept in ${SHARED_HOME}`);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expectFleetBans(output);
    expect(output).toContain('stopping the demo fleet...');
    await expect.poll(() => [...processesMentioning(clone), ...processesMentioning(dataDir)], { timeout: 15_000, interval: 250 }).toEqual([]);
    // The demo's namespaces are named after its node process, which npm started and which is gone now: any namespace
    // whose process is gone was left by it (the demo swept older ones when it started).
    if (ENFORCED) expect(namespacesNamed('fbt-').filter(ownerGone)).toEqual([]);
  }, BOUND_MS + 60_000);
});

/** Whether the process a test namespace is named after (test/support/netns.ts) has exited. */
function ownerGone(name: string): boolean {
  const match = /^fbt-([0-9a-z]+?)[0-9a-f]{4}-\d+-/.exec(name);
  return match !== null && !existsSync(`/proc/${parseInt(match[1] as string, 36)}`);
}
