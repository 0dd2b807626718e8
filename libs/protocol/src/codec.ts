import { z } from 'zod';
import { agentMessageSchema, batchIdSchema, type AgentMessage } from './agent-message.schema';
import { validEventsMessage } from './events-message.validator';
import { MAX_ERROR_MESSAGE_LENGTH, MAX_MESSAGE_BYTES } from './limits';
import type { ProtocolError } from './protocol-error';
import { serverMessageSchema, type ServerMessage } from './server-message.schema';

/** The outcome of decoding one frame: the message, or the error to report. Never thrown. */
export type DecodeResult<M> = { ok: true; message: M } | { ok: false; error: ProtocolError };

/** What a WebSocket library hands over for one frame. */
export type Frame = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

const MAX_ISSUES_REPORTED = 5;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type Union = typeof agentMessageSchema | typeof serverMessageSchema;

function frameBytes(frame: Frame): number {
  if (typeof frame === 'string') return frame.length; // a lower bound; the exact size is checked once decoded
  if (frame instanceof ArrayBuffer || frame instanceof Uint8Array) return frame.byteLength;
  return frame.reduce((sum, part) => sum + part.byteLength, 0);
}

function frameText(frame: Frame): string | null {
  if (typeof frame === 'string') return frame;
  try {
    if (frame instanceof ArrayBuffer || frame instanceof Uint8Array) return utf8.decode(frame);
    const joined = new Uint8Array(frameBytes(frame));
    let at = 0;
    for (const part of frame) {
      joined.set(part, at);
      at += part.byteLength;
    }
    return utf8.decode(joined);
  } catch {
    return null;
  }
}

const fail = (code: ProtocolError['code'], message: string, batchId?: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message: message.slice(0, MAX_ERROR_MESSAGE_LENGTH), ...(batchId === undefined ? {} : { batchId }) },
});

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_ISSUES_REPORTED).map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * `accept`, when given, may accept a parsed message without the schema (the hot path); what it does not accept
 * the schema decides, so results and errors are the schema's either way.
 */
function decodeWith<S extends Union>(schema: S, frame: Frame, accept?: (raw: unknown) => z.infer<S> | null): DecodeResult<z.infer<S>> {
  if (frameBytes(frame) > MAX_MESSAGE_BYTES) return fail('message_too_large', `messages are limited to ${MAX_MESSAGE_BYTES} bytes`);
  const text = frameText(frame);
  if (text === null) return fail('malformed_json', 'the frame is not UTF-8 text');
  if (typeof frame === 'string' && Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
    return fail('message_too_large', `messages are limited to ${MAX_MESSAGE_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('malformed_json', `the frame is not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('invalid_message', 'a message is a JSON object with a "type"');
  const { type, batchId } = raw as { type?: unknown; batchId?: unknown };
  const known = schema.options.map((option) => option.shape.type.value as string);
  if (typeof type !== 'string' || !known.includes(type)) {
    return fail('unknown_type', `unknown message type ${JSON.stringify(type)?.slice(0, 80)}; expected one of ${known.join(', ')}`);
  }
  const accepted = accept?.(raw);
  if (accepted) return { ok: true, message: accepted };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data as z.infer<S> };
  const readableBatchId = batchIdSchema.safeParse(batchId);
  return fail('invalid_message', `invalid ${type} message: ${describeIssues(parsed.error)}`, readableBatchId.success ? readableBatchId.data : undefined);
}

/** Decodes and validates one frame sent by an agent. Never throws. */
export function decodeAgentMessage(frame: Frame): DecodeResult<AgentMessage> {
  return decodeWith(agentMessageSchema, frame, validEventsMessage);
}

/** Decodes and validates one frame sent by the server. Never throws. */
export function decodeServerMessage(frame: Frame): DecodeResult<ServerMessage> {
  return decodeWith(serverMessageSchema, frame);
}

/** Serializes a message the agent sends. The type guarantees the shape; plain data never makes JSON.stringify throw. */
export function encodeAgentMessage(message: AgentMessage): string {
  return JSON.stringify(message);
}

/** Serializes a message the server sends. */
export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}
