import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EVENT_SOURCES, MAX_ACCOUNT_LENGTH, MAX_SESSION_LENGTH, SECURITY_EVENT_TYPES, TRANSPORTS } from '@fleetban/asterisk-log';
import { normalizeIp } from '@fleetban/ip';
import { eventsSchema } from './agent-message.schema';
import { validEventsMessage } from './events-message.validator';
import { MAX_BATCH_ID_LENGTH, MAX_EVENTS_PER_BATCH } from './limits';
import { MAX_LOCAL_ADDRESS_LENGTH, MAX_SERVICE_LENGTH } from './security-event.schema';

// A valid event, then at most one of its fields replaced by a value just outside a rule (wrong type, length,
// range or form) or removed: so that about half the messages are valid, and the others miss by one field.
const oneOf = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const text = (max: number): fc.Arbitrary<string | null> => fc.oneof(fc.string({ maxLength: max }), fc.constant('x'.repeat(max)), fc.constant(null));
const validIp = fc.oneof(fc.ipV4(), fc.ipV6().map((ip) => normalizeIp(ip) ?? '::1'), oneOf('2001:db8::1', '::', '::1', '0.0.0.0'));
const validEvent = fc.record({
  time: fc.oneof(fc.constant(1_764_400_000_000), fc.maxSafeNat()),
  type: fc.constantFrom(...SECURITY_EVENT_TYPES),
  failure: fc.boolean(),
  ip: validIp,
  port: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constant(null)),
  transport: fc.constantFrom(...TRANSPORTS, null),
  service: text(MAX_SERVICE_LENGTH),
  account: text(MAX_ACCOUNT_LENGTH),
  session: text(MAX_SESSION_LENGTH),
  localAddress: text(MAX_LOCAL_ADDRESS_LENGTH),
  source: fc.constantFrom(...EVENT_SOURCES),
});
const offBy: Record<string, unknown[]> = {
  time: [-1, 1.5, Number.MAX_SAFE_INTEGER + 2, 1e300, '1', null],
  type: ['invalidpassword', '', null, 1],
  failure: [0, 'true', null],
  ip: ['01.2.3.4', '1.02.3.4', '1.2.3.04', '1.2.3.00', '1.2.3.256', '1.2.3.4.5', '0x1.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4 ', '2001:DB8::1', '2001:db8:0:0:0:0:0:1', '::ffff:192.0.2.1', 'fe80::1%eth0', '', 'x'.repeat(46), null, 1],
  port: [-1, 65536, 1.5, '5060'],
  transport: ['udp', '', 1],
  service: ['x'.repeat(MAX_SERVICE_LENGTH + 1), 7, true],
  account: ['x'.repeat(MAX_ACCOUNT_LENGTH + 1), 7],
  session: ['x'.repeat(MAX_SESSION_LENGTH + 1), {}],
  localAddress: ['x'.repeat(MAX_LOCAL_ADDRESS_LENGTH + 1), []],
  source: ['Security', null],
};
const mutation = fc.option(fc.tuple(fc.constantFrom(...Object.keys(offBy)), fc.nat(), fc.boolean()), { freq: 2 });
const anEvent = fc.tuple(validEvent, mutation, fc.option(fc.string())).map(([event, change, agentId]) => {
  const out: Record<string, unknown> = { ...event, ...(agentId === null ? {} : { agentId }) };
  if (change === null) return out;
  const [field, pick, remove] = change;
  if (remove) delete out[field];
  else out[field] = offBy[field]![pick % offBy[field]!.length];
  return out;
});
const batchIds = fc.oneof({ arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), weight: 8 }, oneOf<unknown>('', 'b 1', 'b/1', 'x'.repeat(MAX_BATCH_ID_LENGTH + 1), 7, null));
const messages = fc.record({
  type: fc.constant('events'),
  batchId: batchIds,
  events: fc.oneof({ arbitrary: fc.array(anEvent, { minLength: 1, maxLength: 3 }), weight: 8 }, oneOf<unknown>([], {}, 'events', null)),
  extra: fc.option(fc.string()),
});

/** What the server decodes: JSON text parsed (undefined fields vanish, -0 stays). */
const asReceived = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('validEventsMessage agrees with eventsSchema', () => {
  it('accepts exactly what the schema accepts, with the same result', () => {
    fc.assert(
      fc.property(messages, (message) => {
        const raw = asReceived(message);
        const parsed = eventsSchema.safeParse(raw);
        const fast = validEventsMessage(raw);
        expect(fast !== null).toBe(parsed.success);
        if (parsed.success) expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on a well-formed batch, and on the batch size limits', () => {
    const event = { time: 1, type: 'InvalidPassword', failure: true, ip: '2001:db8::7', port: null, transport: null, service: null, account: null, session: null, localAddress: null, source: 'ami' };
    for (const count of [0, 1, MAX_EVENTS_PER_BATCH, MAX_EVENTS_PER_BATCH + 1]) {
      const raw = { type: 'events', batchId: 'b-1', events: Array.from({ length: count }, () => event) };
      const parsed = eventsSchema.safeParse(raw);
      expect(parsed.success).toBe(count >= 1 && count <= MAX_EVENTS_PER_BATCH);
      expect(validEventsMessage(raw)).toEqual(parsed.success ? parsed.data : null);
    }
  });

  it('only looks at events messages', () => {
    expect(validEventsMessage({ type: 'ping' })).toBeNull();
    expect(validEventsMessage([{ type: 'events' }])).toBeNull();
  });
});
