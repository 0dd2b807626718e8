import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { decodeAgentMessage, decodeServerMessage, encodeAgentMessage, encodeServerMessage } from './codec';
import { MAX_EVENTS_PER_BATCH, MAX_MESSAGE_BYTES } from './limits';

const event: SecurityEvent = {
  time: 1_764_400_000_000,
  type: 'InvalidPassword',
  failure: true,
  ip: '203.0.113.7',
  port: 5060,
  transport: 'UDP',
  service: 'PJSIP',
  account: '1001',
  session: 'a84b4c76e66710',
  localAddress: '192.0.2.1:5060',
  source: 'security',
};

const hello = { type: 'hello', protocol: 1, agentVersion: '0.1.0', hostname: 'pbx-01', lastBanSeq: 0 };

describe('decodeAgentMessage', () => {
  it('accepts every agent message', () => {
    const messages = [
      hello,
      { type: 'events', batchId: 'b-1', events: [event] },
      { type: 'applied', seq: 12 },
      { type: 'refused', seq: 12, bans: [{ ip: '192.0.2.0/24', reason: 'on the local allowlist' }] },
      { type: 'ping' },
    ];
    for (const message of messages) expect(decodeAgentMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('returns exactly the SecurityEvent shape, unknown fields stripped', () => {
    const result = decodeAgentMessage(JSON.stringify({ type: 'events', batchId: 'b', events: [{ ...event, agentId: 'someone-else' }] }));
    expect(result).toEqual({ ok: true, message: { type: 'events', batchId: 'b', events: [event] } });
  });

  it('decodes binary frames and fragmented frames', () => {
    const bytes = Buffer.from(JSON.stringify(hello));
    expect(decodeAgentMessage(bytes).ok).toBe(true);
    expect(decodeAgentMessage([bytes.subarray(0, 5), bytes.subarray(5)]).ok).toBe(true);
  });

  it.each([
    ['not json', '{"type":', 'malformed_json'],
    ['invalid utf-8', Buffer.from([0x7b, 0xff, 0x7d]), 'malformed_json'],
    ['an array', '[1]', 'invalid_message'],
    ['no type', '{"batchId":"x"}', 'unknown_type'],
    ['an unknown type', '{"type":"subscribe"}', 'unknown_type'],
    ['a server message', '{"type":"ack","batchId":"x"}', 'unknown_type'],
    ['hello without version', '{"type":"hello","agentVersion":"1","hostname":"h"}', 'invalid_message'],
  ] as const)('reports %s', (_name, frame, code) => {
    const result = decodeAgentMessage(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('names the field at fault and the batch id of a rejected batch', () => {
    const result = decodeAgentMessage(JSON.stringify({ type: 'events', batchId: 'b-7', events: [event, { ...event, ip: '010.0.0.1' }] }));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message', batchId: 'b-7' } });
    if (!result.ok) expect(result.error.message).toContain('events.1.ip');
  });

  it.each([
    ['a non-canonical IPv6 address', { ip: '2001:DB8::1' }],
    ['an IPv4-mapped address', { ip: '::ffff:192.0.2.1' }],
    ['a CIDR instead of an address', { ip: '192.0.2.0/24' }],
    ['an unknown event type', { type: 'Hacked' }],
    ['a fractional time', { time: 1.5 }],
    ['a port out of range', { port: 70000 }],
    ['an account over its cap', { account: 'x'.repeat(65) }],
    ['a missing field', { session: undefined }],
  ])('rejects an event with %s', (_name, change) => {
    const result = decodeAgentMessage(JSON.stringify({ type: 'events', batchId: 'b', events: [{ ...event, ...change }] }));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('bounds batches: no empty batch, no more than MAX_EVENTS_PER_BATCH, bounded batch ids', () => {
    const batch = (events: unknown[], batchId = 'b') => decodeAgentMessage(JSON.stringify({ type: 'events', batchId, events }));
    expect(batch([]).ok).toBe(false);
    expect(batch(Array(MAX_EVENTS_PER_BATCH).fill(event)).ok).toBe(true);
    expect(batch(Array(MAX_EVENTS_PER_BATCH + 1).fill(event)).ok).toBe(false);
    expect(batch([event], 'x'.repeat(64)).ok).toBe(true);
    expect(batch([event], 'x'.repeat(65)).ok).toBe(false);
    expect(batch([event], 'with space').ok).toBe(false);
  });

  it('refuses frames over MAX_MESSAGE_BYTES, counted in bytes', () => {
    const big = JSON.stringify({ type: 'ping', pad: 'é'.repeat(MAX_MESSAGE_BYTES / 2) });
    expect(decodeAgentMessage(big)).toMatchObject({ ok: false, error: { code: 'message_too_large' } });
    expect(decodeAgentMessage(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20))).toMatchObject({ ok: false, error: { code: 'message_too_large' } });
  });

  it('never throws, whatever the frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array().map((a) => Buffer.from(a))), (frame) => {
        const result = decodeAgentMessage(frame);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('server messages', () => {
  it('round-trip through encode and decode', () => {
    const messages = [
      encodeServerMessage({ type: 'welcome', protocol: 1, agentId: '7', name: 'pbx-01', config: { maxEventsPerBatch: 1000, maxInFlightBatches: 8, heartbeatIntervalMs: 15000 } }),
      encodeServerMessage({ type: 'ack', batchId: 'b-1', duplicate: true }),
      encodeServerMessage({ type: 'bans.snapshot', seq: 4, bans: [{ ip: '198.51.100.0/24', until: null, jail: 'sip' }], last: true }),
      encodeServerMessage({ type: 'bans.delta', seq: 5, add: [{ ip: '2001:db8::1', until: 1, jail: 'sip', action: 'reject', ports: [5060, 5061] }], remove: ['198.51.100.0/24'] }),
      encodeServerMessage({ type: 'error', code: 'invalid_message', message: 'no' }),
      encodeServerMessage({ type: 'pong' }),
    ];
    for (const text of messages) expect(decodeServerMessage(text)).toEqual({ ok: true, message: JSON.parse(text) });
  });

  it('rejects a ban on a non-canonical network', () => {
    const text = JSON.stringify({ type: 'bans.delta', seq: 1, add: [{ ip: '10.1.2.3/8', until: null, jail: 'sip' }], remove: [] });
    expect(decodeServerMessage(text).ok).toBe(false);
  });

  it('agent messages round-trip too', () => {
    const text = encodeAgentMessage({ type: 'events', batchId: 'b', events: [event] });
    expect(decodeAgentMessage(text)).toEqual({ ok: true, message: JSON.parse(text) });
  });
});
