import { z } from 'zod';
import { canonicalIpOrCidr } from './address.schema';
import { batchIdSchema } from './agent-message.schema';
import { wireBanSchema } from './ban.schema';
import { MAX_BANS_PER_MESSAGE, MAX_ERROR_MESSAGE_LENGTH } from './limits';
import { PROTOCOL_ERROR_CODES } from './protocol-error';

const banSeq = z.int().min(0);

/** Limits the server applies to this connection, so the agent can size its batches. */
export const agentConfigSchema = z.object({
  maxEventsPerBatch: z.int().min(1),
  maxInFlightBatches: z.int().min(1),
  heartbeatIntervalMs: z.int().min(1),
});

export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  /** The protocol version the server will speak on this connection. */
  protocol: z.int().min(1),
  agentId: z.string().min(1).max(64),
  name: z.string().min(1).max(255),
  config: agentConfigSchema.optional(),
});

/** The batch is stored (or was already: `duplicate`). The agent may drop it from its spool. */
export const ackSchema = z.object({
  type: z.literal('ack'),
  batchId: batchIdSchema,
  duplicate: z.boolean().optional(),
});

/**
 * Every active ban as of `seq`, in one or more parts sharing `seq`; `last` marks the final part.
 * The agent replaces its whole set with the union of the parts once the last arrives.
 */
export const bansSnapshotSchema = z.object({
  type: z.literal('bans.snapshot'),
  seq: banSeq,
  bans: z.array(wireBanSchema).max(MAX_BANS_PER_MESSAGE),
  last: z.boolean(),
});

/** Ban changes after the agent's previous `seq` up to and including `seq`, in order. */
export const bansDeltaSchema = z.object({
  type: z.literal('bans.delta'),
  seq: banSeq,
  add: z.array(wireBanSchema).max(MAX_BANS_PER_MESSAGE),
  remove: z.array(canonicalIpOrCidr).max(MAX_BANS_PER_MESSAGE),
});

export const errorSchema = z.object({
  type: z.literal('error'),
  code: z.enum(PROTOCOL_ERROR_CODES),
  message: z.string().max(MAX_ERROR_MESSAGE_LENGTH),
  batchId: batchIdSchema.optional(),
});

export const pongSchema = z.object({ type: z.literal('pong') });

export const serverMessageSchema = z.discriminatedUnion('type', [welcomeSchema, ackSchema, bansSnapshotSchema, bansDeltaSchema, errorSchema, pongSchema]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type WelcomeMessage = z.infer<typeof welcomeSchema>;
export type AckMessage = z.infer<typeof ackSchema>;
export type BansSnapshotMessage = z.infer<typeof bansSnapshotSchema>;
export type BansDeltaMessage = z.infer<typeof bansDeltaSchema>;
export type ErrorMessage = z.infer<typeof errorSchema>;
export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type ServerMessageType = ServerMessage['type'];
