export {
  agentMessageSchema,
  appliedSchema,
  batchIdSchema,
  eventsSchema,
  helloSchema,
  pingSchema,
  refusedSchema,
  type AgentMessage,
  type AgentMessageType,
  type AppliedMessage,
  type EventsMessage,
  type HelloMessage,
  type PingMessage,
  type RefusedMessage,
} from './agent-message.schema';
export { canonicalIp, canonicalIpOrCidr } from './address.schema';
export { BAN_ACTIONS, wireBanSchema, type WireBan } from './ban.schema';
export { decodeAgentMessage, decodeServerMessage, encodeAgentMessage, encodeServerMessage, type DecodeResult, type Frame } from './codec';
export * from './limits';
export { CLOSE_CODES, PROTOCOL_ERROR_CODES, type ProtocolError, type ProtocolErrorCode } from './protocol-error';
export { securityEventSchema } from './security-event.schema';
export {
  ackSchema,
  agentConfigSchema,
  bansDeltaSchema,
  bansSnapshotSchema,
  errorSchema,
  pongSchema,
  serverMessageSchema,
  welcomeSchema,
  type AckMessage,
  type AgentConfig,
  type BansDeltaMessage,
  type BansSnapshotMessage,
  type ErrorMessage,
  type ServerMessage,
  type ServerMessageType,
  type WelcomeMessage,
} from './server-message.schema';
