/**
 * The 15 SecurityEvent types of Asterisk's security framework (include/asterisk/security_events_defs.h),
 * in the order of `enum ast_security_event_type`.
 */
export const SECURITY_EVENT_TYPES = [
  'FailedACL',
  'InvalidAccountID',
  'SessionLimit',
  'MemoryLimit',
  'LoadAverageLimit',
  'RequestNotSupported',
  'RequestNotAllowed',
  'AuthMethodNotAllowed',
  'RequestBadFormat',
  'SuccessfulAuth',
  'UnexpectedAddress',
  'ChallengeResponseFailed',
  'InvalidPassword',
  'ChallengeSent',
  'InvalidTransport',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Informational events: they describe a normal step of authentication and never count as a failure. */
export const INFORMATIONAL_EVENT_TYPES: ReadonlySet<SecurityEventType> = new Set(['SuccessfulAuth', 'ChallengeSent']);

export const isFailureType = (type: SecurityEventType): boolean => !INFORMATIONAL_EVENT_TYPES.has(type);

export const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WS', 'WSS'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Where the line came from: res_security_log's security log, a NOTICE line of the main log, or an AMI (manager) NOTICE. */
export const EVENT_SOURCES = ['security', 'notice', 'ami'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Longest account name kept: PJSIP already truncates AccountID to 36; other channels do not. */
export const MAX_ACCOUNT_LENGTH = 64;
/** Longest session key kept (SessionID or Call-ID); enough to tell attempts apart, bounded against floods. */
export const MAX_SESSION_LENGTH = 128;

/** One security event parsed from one log entry. Plain data: it crosses the wire to the server as is. */
export interface SecurityEvent {
  /** Milliseconds since the epoch (UTC). */
  time: number;
  type: SecurityEventType;
  failure: boolean;
  /** The remote address, canonical (see @fleetban/ip normalizeIp). Only ever taken from a trusted position. */
  ip: string;
  port: number | null;
  transport: Transport | null;
  /** PJSIP, SIP, IAX2, AMI, ... as Asterisk names the service. */
  service: string | null;
  /** The account tried, as written (attacker-controlled), capped at MAX_ACCOUNT_LENGTH. */
  account: string | null;
  /** SessionID or Call-ID (attacker-controlled), capped at MAX_SESSION_LENGTH: several lines of one attempt share it. */
  session: string | null;
  /** The PBX's own address and port the request reached, `ip:port` or `[v6]:port`, when the log says. */
  localAddress: string | null;
  source: EventSource;
}
