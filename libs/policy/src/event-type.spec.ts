import { describe, expect, it } from 'vitest';
import { isFailureType } from '@fleetban/asterisk-log';
import { FAILURE_EVENT_TYPES } from './event-type';

describe('FAILURE_EVENT_TYPES', () => {
  it('is every failure type of the parser and never SuccessfulAuth or ChallengeSent', () => {
    expect(FAILURE_EVENT_TYPES).toHaveLength(13);
    expect(FAILURE_EVENT_TYPES).not.toContain('SuccessfulAuth');
    expect(FAILURE_EVENT_TYPES).not.toContain('ChallengeSent');
    expect(FAILURE_EVENT_TYPES.every((type) => isFailureType(type))).toBe(true);
  });
});
