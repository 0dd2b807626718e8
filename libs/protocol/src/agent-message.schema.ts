import { z } from 'zod';
import { canonicalIpOrCidr } from './address.schema';
import {
  MAX_BANS_PER_MESSAGE,
  MAX_BATCH_ID_LENGTH,
  MAX_EVENTS_PER_BATCH,
  MAX_FILES_REPORTED,
  MAX_HOSTNAME_LENGTH,
  MAX_PATH_LENGTH,
  MAX_REASON_LENGTH,
  MAX_VERSION_LENGTH,
} from './limits';
import { securityEventSchema } from './security-event.schema';

const banSeq = z.int().min(0);

/** First message of every connection. */
export const helloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.int().min(1),
  agentVersion: z.string().min(1).max(MAX_VERSION_LENGTH),
  hostname: z.string().min(1).max(MAX_HOSTNAME_LENGTH),
  /** Sequence of the last ban change the agent applied; 0 or absent asks for a full snapshot. */
  lastBanSeq: banSeq.optional(),
  /** Log files the agent follows (for status pages). */
  files: z.array(z.string().max(MAX_PATH_LENGTH)).max(MAX_FILES_REPORTED).optional(),
  /** Events in the agent's spool not yet acknowledged (for status pages). */
  spoolBacklog: z.int().min(0).optional(),
});

/** Batch ids are chosen by the agent, unique per agent; printable so they can be logged safely. */
export const batchIdSchema = z.string().min(1).max(MAX_BATCH_ID_LENGTH).regex(/^[A-Za-z0-9._:-]+$/, {
  error: `must be 1-${MAX_BATCH_ID_LENGTH} characters of A-Z a-z 0-9 . _ : -`,
});

export const eventsSchema = z.object({
  type: z.literal('events'),
  batchId: batchIdSchema,
  events: z.array(securityEventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});

/** The agent has enforced every ban change up to `seq`. */
export const appliedSchema = z.object({
  type: z.literal('applied'),
  seq: banSeq,
});

/** Bans the agent would not enforce (for example: the address is on its local allowlist). */
export const refusedSchema = z.object({
  type: z.literal('refused'),
  seq: banSeq,
  bans: z
    .array(z.object({ ip: canonicalIpOrCidr, reason: z.string().min(1).max(MAX_REASON_LENGTH) }))
    .min(1)
    .max(MAX_BANS_PER_MESSAGE),
});

export const pingSchema = z.object({ type: z.literal('ping') });

export const agentMessageSchema = z.discriminatedUnion('type', [helloSchema, eventsSchema, appliedSchema, refusedSchema, pingSchema]);

export type AgentMessage = z.infer<typeof agentMessageSchema>;
export type HelloMessage = z.infer<typeof helloSchema>;
export type EventsMessage = z.infer<typeof eventsSchema>;
export type AppliedMessage = z.infer<typeof appliedSchema>;
export type RefusedMessage = z.infer<typeof refusedSchema>;
export type PingMessage = z.infer<typeof pingSchema>;
export type AgentMessageType = AgentMessage['type'];
