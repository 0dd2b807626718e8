import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JailsService } from '../../apps/server/src/jails/jails.service';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { ROOT, runServerCommand, serverEnv, startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

describe('jails from fail2ban files and from YAML', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  beforeAll(async () => {
    db = await createTestDatabase('jailsrc');
    redis = uniqueRedisPrefix('jailsrc');
  });
  afterAll(async () => {
    await db?.drop();
    await redis?.cleanup();
  });

  it('imports fail2ban jail files: asterisk jails, ignoreip, and a report of what it could not map', async () => {
    const file = join(ROOT, 'libs', 'policy', 'testdata', 'fail2ban', 'jail.local');
    const result = await runServerCommand(['import-fail2ban', file], serverEnv(db.url, redis.prefix));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/imported \d+ jail\(s\)/);
    expect(result.stdout).toContain('not imported:');
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const jails = (await sql.query('SELECT name, config FROM jails ORDER BY name')).rows;
    const allowlist = (await sql.query('SELECT host(cidr) AS ip, masklen(cidr) AS bits, note FROM allowlist_entries')).rows;
    await sql.end();
    const dryRun = JSON.parse((await runServerCommand(['import-fail2ban', file, '--dry-run', '--json'], serverEnv(db.url, redis.prefix))).stdout);
    for (const jail of dryRun.jails) expect(jails.find((j) => j.name === jail.name)?.config).toEqual(jail);
    expect(allowlist.length).toBe(dryRun.allowlist.length);
    expect(dryRun.unmapped.length).toBeGreaterThan(0);
  });

  it('applies FLEETBAN_JAILS_FILE at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-jails-'));
    writeFileSync(join(dir, 'jails.yaml'), 'jails:\n  voip-strict:\n    maxretry: 2\n    findtime: 10m\n    bantime: 1d\n    scope: fleet\n');
    const server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_JAILS_FILE: join(dir, 'jails.yaml') });
    try {
      expect(await server.app.get(JailsService).get('voip-strict')).toMatchObject({ maxretry: 2, findtime: 600, bantime: 86400, scope: 'fleet' });
    } finally {
      await server.shutdown();
    }
  });
});
