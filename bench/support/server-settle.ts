// Between two phases of a bench, the server may still be storing batches of agents that already left (a queue
// of batches read before they closed). Measuring the next phase then would count that work against it.

import { Queue } from 'bullmq';
import { Client } from 'pg';
import { EVALUATE_QUEUE } from '../../apps/server/src/jobs/job-map';
import { PG, REDIS_URL, type BenchFleet } from './bench-fleet';

/** One sample of a server metric from /metrics (the sum over its labels); NaN when absent. */
export async function metricValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = NaN;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) total = (Number.isNaN(total) ? 0 : total) + Number(match[1]);
  return total;
}

/** Waits (at most `timeoutMs`) until no agent is connected and the stored-events counter stays still for 1 s. */
export async function waitForIdleServer(baseUrl: string, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = await metricValue(baseUrl, 'fleetban_events_stored_total');
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [stored, connected] = await Promise.all([metricValue(baseUrl, 'fleetban_events_stored_total'), metricValue(baseUrl, 'fleetban_agents_connected')]);
    if (stored === last && !(connected > 0)) return true;
    last = stored;
  }
  return false;
}

/**
 * Waits (at most `timeoutMs`) until the ban engine has nothing left to evaluate: no evaluate job waiting, running or
 * delayed in BullMQ, and no pending_evaluations row (stored but not yet enqueued). A flood leaves such a backlog;
 * the next phase would otherwise wait behind it. Returns how long that took, or null on timeout.
 */
export async function waitForIdleEngine(fleet: BenchFleet, timeoutMs = 300_000): Promise<number | null> {
  const started = Date.now();
  const queue = new Queue(EVALUATE_QUEUE, { connection: { url: REDIS_URL }, prefix: `${fleet.redisPrefix}:bull` });
  const db = new Client({ connectionString: `${PG}/${fleet.database}` });
  await db.connect();
  try {
    while (Date.now() - started < timeoutMs) {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      const pending = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM pending_evaluations')).rows[0]?.n ?? 0);
      if (pending === 0 && Object.values(counts).every((n) => n === 0)) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return null;
  } finally {
    await Promise.all([queue.close(), db.end()]);
  }
}
