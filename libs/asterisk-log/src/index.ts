export { AsteriskLogParser } from './log-parser';
export { DEFAULT_MAX_LINE_LENGTH, parseLine } from './line-parser';
export { REJECT_REASONS, type LineResult, type ParseOptions, type ParseOutcome, type ParserStats, type RejectReason } from './parse-outcome';
export { CHAN_SIP_REASONS, PJSIP_REASONS } from './notice-line';
export {
  EVENT_SOURCES,
  INFORMATIONAL_EVENT_TYPES,
  MAX_ACCOUNT_LENGTH,
  MAX_SESSION_LENGTH,
  SECURITY_EVENT_TYPES,
  TRANSPORTS,
  isFailureType,
  type EventSource,
  type SecurityEvent,
  type SecurityEventType,
  type Transport,
} from './security-event';
