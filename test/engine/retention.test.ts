import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceProcessor } from '../../apps/server/src/engine/maintenance.processor';
import { startEngine } from './engine-harness';

const DAY = 86_400_000;

describe('retention', () => {
  let h: Awaited<ReturnType<typeof startEngine>>;
  beforeAll(async () => {
    h = await startEngine();
  });
  afterAll(async () => h?.close());

  it('prunes events older than the retention in batches, keeps newer events, bans and their evidence', async () => {
    const now = Date.now();
    const [a] = h.agentIds as [number];
    // 25,000 old events (more than one prune batch) and 10 recent ones.
    await h.sql.query(
      `INSERT INTO security_events (agent_id, time, type, failure, ip, source)
       SELECT $1, to_timestamp($2 / 1000.0) - (n || ' seconds')::interval, 'InvalidAccountID', true, '203.0.113.1', 'security' FROM generate_series(1, 25000) n`,
      [a, now - 31 * DAY],
    );
    for (let i = 0; i < 10; i++) await h.failure('203.0.113.2', a, now - i * 1000);
    await h.sql.query("INSERT INTO bans (target, origin, reason, evidence, created_at) VALUES ('203.0.113.1', 'automatic', 'old ban', '{\"failures\": 3}', now() - interval '40 days')");
    const deleted = await h.app.get(MaintenanceProcessor).pruneEvents(new Date(now - 30 * DAY));
    expect(deleted).toBe(25_000);
    const left = (await h.sql.query('SELECT host(ip) AS ip, count(*)::int AS n FROM security_events GROUP BY ip')).rows;
    expect(left).toEqual([{ ip: '203.0.113.2', n: 10 }]);
    expect((await h.sql.query('SELECT reason, evidence FROM bans')).rows).toEqual([{ reason: 'old ban', evidence: { failures: 3 } }]);
  });
});
