import { describe, expect, it } from 'vitest';
// The mirror must stay identical to the parser's list until asterisk-log's index exports it.
import * as parser from '../../asterisk-log/src/security-event';
import { FAILURE_EVENT_TYPES, INFORMATIONAL_EVENT_TYPES, SECURITY_EVENT_TYPES } from './event-type';

describe('event types', () => {
  it('mirror the parser lib exactly', () => {
    expect([...SECURITY_EVENT_TYPES]).toEqual([...parser.SECURITY_EVENT_TYPES]);
    expect([...INFORMATIONAL_EVENT_TYPES].sort()).toEqual([...parser.INFORMATIONAL_EVENT_TYPES].sort());
  });

  it('count every failure and never SuccessfulAuth or ChallengeSent by default', () => {
    expect(FAILURE_EVENT_TYPES).toHaveLength(13);
    expect(FAILURE_EVENT_TYPES).not.toContain('SuccessfulAuth');
    expect(FAILURE_EVENT_TYPES).not.toContain('ChallengeSent');
    expect(FAILURE_EVENT_TYPES.every((type) => parser.isFailureType(type))).toBe(true);
  });
});
