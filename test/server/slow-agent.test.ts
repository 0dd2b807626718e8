import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Client } from 'pg';
import WebSocket from 'ws';
import { CLOSE_CODES, type ServerMessage } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { BAN_CHANGE_LOCK } from '../../apps/server/src/bans/ban';
import { BanFeedService } from '../../apps/server/src/fleet/ban-feed.service';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

type Delta = Extract<ServerMessage, { type: 'bans.delta' }>;

// Small enough that a few deltas of 1,000 bans pass it once the kernel's socket buffers are full.
const BOUND = 256 * 1024;
const BANS_PER_ROUND = 1000;
const MAX_ROUNDS = 200;
/** The server's WebSocket on an upgraded socket (ws keeps it under a symbol): its readyState tells when the server closed it. */
const serverWebSocket = (socket: Socket): { readyState: number } | undefined => {
  const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'websocket');
  return key === undefined ? undefined : (socket as unknown as Record<symbol, { readyState: number }>)[key];
};
/** The address banMany gives its n-th ban: 10.0.0.0 + n. */
const banTarget = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

describe('a slow agent cannot make the server buffer without bound', { timeout: 120_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let pg: Client;
  /** The server side of every upgraded connection, by the token it presented: what the server buffers for it. */
  const serverSockets = new Map<string, Socket>();

  /** What a ban writer does, for `count` fleet bans from banTarget(first) on, in one transaction: Ban + BanChange rows, then publish. */
  async function banMany(first: number, count: number): Promise<number> {
    await pg.query('BEGIN');
    await pg.query('SELECT pg_advisory_xact_lock($1)', [BAN_CHANGE_LOCK]);
    const { rows } = await pg.query<{ seq: string }>(
      `WITH added AS (
         INSERT INTO bans (target, jail, scope, origin, reason, expires_at)
         SELECT '10.0.0.0'::inet + ($1::bigint + n), 'asterisk', 'fleet', 'automatic', 'slow agent test', now() + interval '1 hour'
         FROM generate_series(0, $2 - 1) AS n RETURNING id, target, expires_at)
       INSERT INTO ban_changes (ban_id, op, target, expires_at) SELECT id, 'add', target, expires_at FROM added ORDER BY id RETURNING seq`,
      [first, count],
    );
    await pg.query('COMMIT');
    const seq = Math.max(...rows.map((row) => Number(row.seq)));
    await server.app.get(BanFeedService).publish({ seq });
    return seq;
  }

  beforeAll(async () => {
    db = await createTestDatabase('slow_agent');
    redis = uniqueRedisPrefix('slow');
    // A long heartbeat, so that only the send-buffer bound can close the agent that stops reading.
    server = await startInProcess(db.url, redis.prefix, { maxBufferedBytes: BOUND, heartbeatIntervalMs: 120_000 });
    server.app.getHttpServer().on('upgrade', (request: IncomingMessage, socket: Socket) => serverSockets.set(request.headers.authorization ?? '', socket));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it('closes an agent that stops reading with 4429 once its send buffer passes the bound, and keeps serving the others', async () => {
    const agents = server.app.get(AgentsService);
    const slowToken = (await agents.add('pbx-slow')).token;
    const slow = await TestAgent.join(wsUrlOf(server.url), slowToken);
    const healthy = await TestAgent.join(wsUrlOf(server.url), (await agents.add('pbx-healthy')).token);
    const slowOnServer = serverSockets.get(`Bearer ${slowToken}`);
    expect(slowOnServer).toBeDefined();
    slow.socket.pause(); // reads nothing more: the kernel's buffers fill, then the server's

    // Ban rounds until the server closes the slow agent, measuring what it holds for it after each round (when
    // the healthy agent got the round, the server has also sent it, or refused to, to the slow one).
    const slowWebSocket = serverWebSocket(slowOnServer!);
    expect(slowWebSocket?.readyState).toBe(WebSocket.OPEN);
    let peak = 0;
    let largestDelta = 0;
    let closedAt: number | undefined;
    let lastSeq = 0;
    for (let round = 0; round < MAX_ROUNDS && closedAt === undefined; round++) {
      lastSeq = await banMany(round * BANS_PER_ROUND, BANS_PER_ROUND);
      const delta = await healthy.until((m): m is Delta => m.type === 'bans.delta' && m.seq === lastSeq, 10_000);
      largestDelta = Math.max(largestDelta, JSON.stringify(delta).length);
      peak = Math.max(peak, slowOnServer!.writableLength);
      if (slowWebSocket!.readyState !== WebSocket.OPEN) closedAt = round;
    }
    expect(closedAt, 'the server kept queueing for an agent that reads nothing').toBeDefined();
    // The check runs before each send: the backlog passed the bound by at most one message (and a close frame).
    expect(peak).toBeGreaterThan(BOUND);
    expect(peak).toBeLessThanOrEqual(BOUND + largestDelta + 256);

    // The agent that reads again finds the close frame behind the backlog, if it catches up within the grace.
    slow.socket.resume();
    expect(await slow.closed).toBe(CLOSE_CODES.tooSlow);
    expect(slowOnServer!.destroyed || slowOnServer!.writableLength === 0).toBe(true);

    // The other agent was served throughout, and still is: deltas in order without a gap, acks.
    const seqs = healthy.received.filter((m): m is Delta => m.type === 'bans.delta').map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const bansReceived = healthy.received.filter((m): m is Delta => m.type === 'bans.delta').reduce((n, m) => n + m.add.length, 0);
    expect(bansReceived).toBe((closedAt! + 1) * BANS_PER_ROUND);
    expect(await healthy.sendBatch('after-slow', [makeEvent('203.0.113.80')])).toEqual({ type: 'ack', batchId: 'after-slow' });
    const next = await banMany(MAX_ROUNDS * BANS_PER_ROUND, 1);
    expect(await healthy.until((m): m is Delta => m.type === 'bans.delta' && m.seq === next)).toMatchObject({ add: [{ ip: banTarget(MAX_ROUNDS * BANS_PER_ROUND) }] });
    healthy.close();
  });
});
