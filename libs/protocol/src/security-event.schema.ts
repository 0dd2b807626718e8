import { z } from 'zod';
import {
  EVENT_SOURCES,
  MAX_ACCOUNT_LENGTH,
  MAX_SESSION_LENGTH,
  SECURITY_EVENT_TYPES,
  TRANSPORTS,
  type SecurityEvent,
} from '@fleetban/asterisk-log';
import { canonicalIp } from './address.schema';

/** `ip:port` or `[v6]:port`: at most 45 + 2 + 6 characters. */
export const MAX_LOCAL_ADDRESS_LENGTH = 64;
export const MAX_SERVICE_LENGTH = 32;

/** Exactly the shape of `SecurityEvent` from @fleetban/asterisk-log (checked at compile time below). */
export const securityEventSchema = z.object({
  time: z.int().min(0),
  type: z.enum(SECURITY_EVENT_TYPES),
  failure: z.boolean(),
  ip: canonicalIp,
  port: z.int().min(0).max(65535).nullable(),
  transport: z.enum(TRANSPORTS).nullable(),
  service: z.string().max(MAX_SERVICE_LENGTH).nullable(),
  account: z.string().max(MAX_ACCOUNT_LENGTH).nullable(),
  session: z.string().max(MAX_SESSION_LENGTH).nullable(),
  localAddress: z.string().max(MAX_LOCAL_ADDRESS_LENGTH).nullable(),
  source: z.enum(EVENT_SOURCES),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when the parser's type and the wire schema drift apart.
const sameShape: Same<z.infer<typeof securityEventSchema>, SecurityEvent> = true;
void sameShape;
