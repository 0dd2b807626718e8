/**
 * Codes of the `error` message. An agent acts on the code; the message is for humans.
 * - `malformed_json`: the frame is not JSON text (or not UTF-8).
 * - `message_too_large`: the frame exceeds MAX_MESSAGE_BYTES.
 * - `unknown_type`: `type` names no message of this protocol version.
 * - `invalid_message`: the message does not match its schema (details in `message`).
 * - `unsupported_version`: `hello.protocol` is not supported; the socket is then closed with CLOSE_CODES.unsupportedVersion.
 * - `hello_required`: another message came before `hello`, or `hello` came twice.
 * - `too_many_in_flight`: more `events` batches are unacknowledged than the server allows; the batch is dropped, resend it after an ack.
 * - `internal`: the server failed to handle a valid message (for `events`: the batch was not stored; resend it).
 */
export const PROTOCOL_ERROR_CODES = [
  'malformed_json',
  'message_too_large',
  'unknown_type',
  'invalid_message',
  'unsupported_version',
  'hello_required',
  'too_many_in_flight',
  'internal',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** A message that could not be decoded, with the code to report to the peer. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  /** The `batchId` of a rejected `events` message, when it could be read, so the agent knows which batch failed. */
  batchId?: string;
}

/**
 * WebSocket close codes used by the server (4000-4999 are the application's range; 1001 and 1009 are standard).
 */
export const CLOSE_CODES = {
  /** The server is shutting down; reconnect (to another instance) with backoff. */
  goingAway: 1001,
  /** The frame exceeded the server's hard frame limit (MAX_FRAME_BYTES). */
  frameTooLarge: 1009,
  /** Too many protocol errors on this connection. */
  protocolViolation: 4400,
  /** The agent's token was revoked while connected. Do not reconnect with it: re-enroll. */
  revoked: 4401,
  /** `hello.protocol` is not supported by this server. Upgrade the agent (or the server). */
  unsupportedVersion: 4406,
  /** No `hello` within the handshake timeout. */
  handshakeTimeout: 4408,
  /** The agent reads too slowly: its send buffer on the server passed the bound. Reconnect; a snapshot follows. */
  tooSlow: 4429,
} as const;
