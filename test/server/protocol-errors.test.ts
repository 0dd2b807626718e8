import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, type ServerMessage } from '@fleetban/protocol';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { TestAgent, makeEvent, wsUrlOf } from '../support/test-agent';

type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;
const isError = (m: ServerMessage): m is ErrorMessage => m.type === 'error';

describe('bad messages get protocol errors and never disturb other agents', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let wsUrl: string;
  let bystander: TestAgent;
  let bystanderBatches = 0;

  const token = async (name: string): Promise<string> => (await server.app.get(AgentsService).add(name)).token;
  /** The other agent still gets its batches stored and acknowledged. */
  const bystanderStillServed = async (): Promise<void> => {
    const batchId = `bystander-${++bystanderBatches}`;
    expect(await bystander.sendBatch(batchId, [makeEvent('203.0.113.50')])).toEqual({ type: 'ack', batchId });
  };

  beforeAll(async () => {
    db = await createTestDatabase('protocol_errors');
    redis = uniqueRedisPrefix('protocol');
    server = await startInProcess(db.url, redis.prefix, { maxProtocolErrorsPerMinute: 5, maxInFlightBatches: 2 });
    wsUrl = wsUrlOf(server.url);
    bystander = await TestAgent.join(wsUrl, await token('bystander'));
  });

  afterAll(async () => {
    bystander?.close();
    await server?.shutdown();
    await redis?.cleanup();
    await db?.drop();
  });

  it.each([
    ['malformed JSON', '{"type":"events",', 'malformed_json'],
    ['an unknown type', JSON.stringify({ type: 'subscribe', topic: 'all' }), 'unknown_type'],
    ['a wrong schema', JSON.stringify({ type: 'events', batchId: 'bad-ip', events: [{ ...makeEvent('1.2.3.4'), ip: 'not-an-ip' }] }), 'invalid_message'],
    ['a message over MAX_MESSAGE_BYTES', JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'message_too_large'],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'malformed_json'],
  ] as const)('answers %s with an error and keeps the connection', async (_name, frame, code) => {
    const client = await TestAgent.join(wsUrl, await token(`bad-${code}-${Math.random().toString(36).slice(2, 8)}`));
    client.sendRaw(frame);
    const error = await client.until(isError);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(0);
    expect(await client.sendBatch('after-error', [makeEvent('203.0.113.51')])).toMatchObject({ type: 'ack' });
    await bystanderStillServed();
    client.close();
  });

  it('names the rejected batch so the agent knows which one failed', async () => {
    const client = await TestAgent.join(wsUrl, await token('bad-batch-id'));
    client.sendRaw(JSON.stringify({ type: 'events', batchId: 'b-42', events: [{ ...makeEvent('1.2.3.4'), port: -1 }] }));
    expect(await client.until(isError)).toMatchObject({ code: 'invalid_message', batchId: 'b-42' });
    client.close();
  });

  it('closes with 1009 a frame over the hard limit, without reading it', async () => {
    const client = await TestAgent.join(wsUrl, await token('oversized'));
    client.sendRaw(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20));
    expect(await client.closed).toBe(CLOSE_CODES.frameTooLarge);
    await bystanderStillServed();
  });

  it('closes with 4400 after repeated errors', async () => {
    const client = await TestAgent.join(wsUrl, await token('repeat-offender'));
    for (let i = 0; i < 10; i++) client.sendRaw('nope');
    expect(await client.closed).toBe(CLOSE_CODES.protocolViolation);
    expect(client.received.filter(isError).length).toBeGreaterThanOrEqual(5);
    await bystanderStillServed();
  });

  it('refuses an unsupported protocol version with a clear error and close 4406', async () => {
    const client = await TestAgent.connect(wsUrl, await token('future-agent'));
    client.send({ type: 'hello', protocol: 99, agentVersion: '9.0.0', hostname: 'pbx' });
    const error = await client.until(isError);
    expect(error.code).toBe('unsupported_version');
    expect(error.message).toMatch(/99.*not supported.*1/);
    expect(await client.closed).toBe(CLOSE_CODES.unsupportedVersion);
  });

  it('requires hello first', async () => {
    const client = await TestAgent.connect(wsUrl, await token('no-hello'));
    client.send({ type: 'events', batchId: 'early', events: [makeEvent('1.2.3.4')] });
    expect(await client.until(isError)).toMatchObject({ code: 'hello_required' });
    expect(await client.closed).toBe(CLOSE_CODES.protocolViolation);
  });

  it('bounds the batches in flight per agent: every batch is acknowledged or refused, none stored unacknowledged', async () => {
    const client = await TestAgent.join(wsUrl, await token('flood'));
    const ids = Array.from({ length: 60 }, (_, i) => `flood-${i}`);
    for (const batchId of ids) client.send({ type: 'events', batchId, events: Array.from({ length: 50 }, () => makeEvent('198.51.100.77')) });
    const settled = (): string[] => client.received.flatMap((m) => (m.type === 'ack' || (m.type === 'error' && m.batchId) ? [m.batchId as string] : []));
    await expect.poll(() => settled().length, { timeout: 20_000 }).toBe(ids.length);
    const refused = client.received.filter((m): m is ErrorMessage => isError(m) && m.code === 'too_many_in_flight');
    const acked = client.received.filter((m) => m.type === 'ack');
    expect(refused.length + acked.length).toBe(ids.length);
    expect(refused.length).toBeGreaterThan(0); // 60 batches sent at once, at most 2 × 2 in flight
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const stored = await pg.query("SELECT count(*)::int AS n FROM ingest_batches b JOIN agents a ON a.id = b.agent_id WHERE a.name = 'flood'");
    await pg.end();
    expect(stored.rows[0].n).toBe(acked.length);
    client.close();
  });
});
