import { EVENT_SOURCES, MAX_ACCOUNT_LENGTH, MAX_SESSION_LENGTH, SECURITY_EVENT_TYPES, TRANSPORTS, type SecurityEvent } from '@fleetban/asterisk-log';
import { normalizeIp } from '@fleetban/ip';
import type { EventsMessage } from './agent-message.schema';
import { MAX_BATCH_ID_LENGTH, MAX_EVENTS_PER_BATCH } from './limits';
import { MAX_LOCAL_ADDRESS_LENGTH, MAX_SERVICE_LENGTH } from './security-event.schema';

// The server decodes every `events` message it receives: with zod that was the largest share of its CPU per
// event. This validator applies the same rules as eventsSchema by hand, and only ever accepts: whatever it
// is not sure of goes to the schema, which then accepts it or words the error. So errors stay the schema's,
// and events-message.validator.spec.ts checks that whatever is accepted here the schema accepts, equal.

const EVENT_TYPES: ReadonlySet<unknown> = new Set(SECURITY_EVENT_TYPES);
const TRANSPORT_SET: ReadonlySet<unknown> = new Set(TRANSPORTS);
const SOURCES: ReadonlySet<unknown> = new Set(EVENT_SOURCES);
const BATCH_ID = /^[A-Za-z0-9._:-]+$/;
/** Exactly the IPv4 texts normalizeIp leaves unchanged: four decimal octets, no leading zero. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nullableText = (value: unknown, max: number): boolean => value === null || (typeof value === 'string' && value.length <= max);

function isCanonicalIp(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 45) return false;
  return CANONICAL_IPV4.test(value) || (value.includes(':') && normalizeIp(value) === value);
}

/** A copy of the event with only its known fields (as the schema strips unknown ones), or null. */
function validEvent(raw: unknown): SecurityEvent | null {
  if (!isRecord(raw)) return null;
  const { time, type, failure, ip, port, transport, service, account, session, localAddress, source } = raw;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) return null;
  if (!EVENT_TYPES.has(type) || typeof failure !== 'boolean' || !isCanonicalIp(ip)) return null;
  if (port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) return null;
  if (transport !== null && !TRANSPORT_SET.has(transport)) return null;
  if (!nullableText(service, MAX_SERVICE_LENGTH) || !nullableText(account, MAX_ACCOUNT_LENGTH)) return null;
  if (!nullableText(session, MAX_SESSION_LENGTH) || !nullableText(localAddress, MAX_LOCAL_ADDRESS_LENGTH) || !SOURCES.has(source)) return null;
  return { time, type, failure, ip, port, transport, service, account, session, localAddress, source } as SecurityEvent;
}

/**
 * The `events` message in `raw` (parsed JSON) when it certainly satisfies eventsSchema, stripped of unknown
 * fields as the schema would; null when it may not, and eventsSchema must decide (and explain).
 */
export function validEventsMessage(raw: unknown): EventsMessage | null {
  if (!isRecord(raw) || raw.type !== 'events') return null;
  const { batchId, events } = raw;
  if (typeof batchId !== 'string' || batchId.length < 1 || batchId.length > MAX_BATCH_ID_LENGTH || !BATCH_ID.test(batchId)) return null;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS_PER_BATCH) return null;
  const valid: SecurityEvent[] = [];
  for (const item of events) {
    const event = validEvent(item);
    if (event === null) return null;
    valid.push(event);
  }
  return { type: 'events', batchId, events: valid };
}
