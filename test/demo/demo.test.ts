import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-instance';
import { databaseUrl } from '../support/test-database';
import { descendants, ENFORCED, expectFleetBans, killDemo, namespacesNamed, startDemo, stillRunning } from './demo-run';

// `npm run demo`'s script in this tree, on this machine's PostgreSQL (DATABASE_URL set), left running as a user
// would, then stopped with Ctrl-C's signal: the bans happened, and nothing it started survives it.
describe(`the demo, stopped by SIGINT (${ENFORCED ? 'agents in namespaces, real nftables' : 'dry-run agents'})`, () => {
  it('bans every scripted attacker on every PBX, spares the allowlisted trunk, and leaves no process or namespace behind', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl('postgres') };
    delete env.REDIS_URL;
    const demo = startDemo(process.execPath, [join(ROOT, 'scripts', 'demo.mjs')], ROOT, env);
    try {
      await demo.waitFor('Press Ctrl-C to stop everything.', 240_000);
      const output = demo.output();
      expect(output).toContain('PostgreSQL: DATABASE_URL (127.0.0.1:5432)');
      expect(output).toContain("Redis: a redis-server of the demo's own");
      expectFleetBans(output);
      const started = descendants(demo.child.pid as number);
      // server, redis-server, and three agents at least (plus, with namespaces, the probes' listeners and sender)
      expect(started.length).toBeGreaterThanOrEqual(5);
      const serverAddress = /server ready at http:\/\/([\d.]+):/.exec(output)?.[1];

      process.kill(demo.child.pid as number, 'SIGINT');
      expect(await Promise.race([demo.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(0);
      await expect.poll(() => stillRunning(started), { timeout: 15_000, interval: 250 }).toEqual([]);
      expect(namespacesNamed(`fbt-${(demo.child.pid as number).toString(36)}`)).toEqual([]);
      if (ENFORCED) expect(execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' })).not.toContain(`${serverAddress}/24`);
    } finally {
      killDemo(demo);
    }
  }, 330_000);
});
