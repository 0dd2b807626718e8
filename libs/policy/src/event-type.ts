import { INFORMATIONAL_EVENT_TYPES, SECURITY_EVENT_TYPES, type SecurityEventType } from '@fleetban/asterisk-log';

// The parser lib owns the event vocabulary; policy only adds which types a jail counts by default.
export { INFORMATIONAL_EVENT_TYPES, SECURITY_EVENT_TYPES, type SecurityEventType };

/** What a jail counts unless it says otherwise: every failure type (never SuccessfulAuth or ChallengeSent). */
export const FAILURE_EVENT_TYPES: readonly SecurityEventType[] = SECURITY_EVENT_TYPES.filter((type) => !INFORMATIONAL_EVENT_TYPES.has(type));
