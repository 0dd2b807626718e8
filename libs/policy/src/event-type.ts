/**
 * The Asterisk SecurityEvent names, as @fleetban/asterisk-log defines them (libs/asterisk-log/src/security-event.ts).
 * That lib has no index.ts yet, so this is a temporary mirror, kept identical by event-type.spec.ts; once
 * `@fleetban/asterisk-log` exports SECURITY_EVENT_TYPES and INFORMATIONAL_EVENT_TYPES, this file becomes a re-export.
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

/** Normal steps of authentication: a jail may never count them. */
export const INFORMATIONAL_EVENT_TYPES: ReadonlySet<SecurityEventType> = new Set(['SuccessfulAuth', 'ChallengeSent']);

/** What a jail counts unless it says otherwise: every failure type. */
export const FAILURE_EVENT_TYPES: readonly SecurityEventType[] = SECURITY_EVENT_TYPES.filter((type) => !INFORMATIONAL_EVENT_TYPES.has(type));
