import type { SecurityEventType } from './security-event';

/**
 * One information element res_security_log writes after RemoteAddress, as `,Key="value"` with no escaping.
 * `untrusted` values may hold any text, `",Key="` sequences included: they come from the remote party
 * (SIP methods and headers, AMI keys, digest fields) or could. Trusted values are Asterisk's own and hold no quote.
 */
export interface TailIe {
  literal: string;
  required: boolean;
  untrusted: boolean;
}

/** What follows `EventVersion` for one event type: main/security_events.c `sec_events`, required IEs then optional ones. */
export interface EventShape {
  /** RequestBadFormat alone has no AccountID before SessionID (it may come, optional, after SessionTV). */
  accountFirst: boolean;
  tail: readonly TailIe[];
}

const ie = (key: string, required: boolean, untrusted: boolean): TailIe => ({ literal: `,${key}="`, required, untrusted });
const MODULE = ie('Module', false, false);
const SESSION_TV = ie('SessionTV', false, false);
const COMMON: readonly TailIe[] = [MODULE, SESSION_TV];
const REQUEST_TYPE = ie('RequestType', true, true);
const CHALLENGE_REQUIRED = ie('Challenge', true, true);

export const EVENT_SHAPES: ReadonlyMap<string, EventShape> = new Map<SecurityEventType, EventShape>([
  ['FailedACL', { accountFirst: true, tail: [MODULE, ie('ACLName', false, false), SESSION_TV] }],
  ['InvalidAccountID', { accountFirst: true, tail: COMMON }],
  ['SessionLimit', { accountFirst: true, tail: COMMON }],
  ['MemoryLimit', { accountFirst: true, tail: COMMON }],
  ['LoadAverageLimit', { accountFirst: true, tail: COMMON }],
  ['RequestNotSupported', { accountFirst: true, tail: [REQUEST_TYPE, ...COMMON] }],
  ['RequestNotAllowed', { accountFirst: true, tail: [REQUEST_TYPE, ...COMMON, ie('RequestParams', false, true)] }],
  ['AuthMethodNotAllowed', { accountFirst: true, tail: [ie('AuthMethod', true, true), ...COMMON] }],
  ['RequestBadFormat', { accountFirst: false, tail: [REQUEST_TYPE, ...COMMON, ie('AccountID', false, true), ie('RequestParams', false, true)] }],
  ['SuccessfulAuth', { accountFirst: true, tail: [ie('UsingPassword', true, false), ...COMMON] }],
  ['UnexpectedAddress', { accountFirst: true, tail: [ie('ExpectedAddress', true, false), ...COMMON] }],
  ['ChallengeResponseFailed', { accountFirst: true, tail: [CHALLENGE_REQUIRED, ie('Response', true, true), ie('ExpectedResponse', true, true), ...COMMON] }],
  ['InvalidPassword', { accountFirst: true, tail: [...COMMON, ie('Challenge', false, true), ie('ReceivedChallenge', false, true), ie('ReceivedHash', false, true)] }],
  ['ChallengeSent', { accountFirst: true, tail: [CHALLENGE_REQUIRED, ...COMMON] }],
  ['InvalidTransport', { accountFirst: true, tail: [ie('AttemptedTransport', true, true), ...COMMON] }],
]);

/**
 * Longest AccountID a service can write, where it is bounded: PJSIP copies at most 36 characters. This is what
 * stops a newline in a PJSIP From user from closing a forged event on the first physical line.
 */
export const MAX_ACCOUNT_BY_SERVICE: ReadonlyMap<string, number> = new Map([['PJSIP', 36]]);

/** Services whose AccountID cannot hold a newline (AMI reads line by line). */
export const SINGLE_LINE_ACCOUNT_SERVICES: ReadonlySet<string> = new Set(['AMI']);

/** An event type with its shape, and the two characters that tell it from the other names of its length. */
export interface NamedShape {
  readonly type: SecurityEventType;
  readonly shape: EventShape;
  readonly first: number;
  readonly eighth: number;
}

/** EVENT_SHAPES by name length: a type is matched in place, with integer compares and one string compare. */
const BY_LENGTH: NamedShape[][] = [];
for (const [type, shape] of EVENT_SHAPES) {
  const bucket = (BY_LENGTH[type.length] ??= []);
  const named: NamedShape = { type: type as SecurityEventType, shape, first: type.charCodeAt(0), eighth: type.charCodeAt(7) };
  if (type.length < 8 || bucket.some((s) => s.first === named.first && s.eighth === named.eighth)) throw new Error(`shapeAt cannot tell ${type} apart`);
  bucket.push(named);
}

/** The event type named by `text[start, end)`, or undefined when it is none of the 15. */
export function shapeAt(text: string, start: number, end: number): NamedShape | undefined {
  const bucket = BY_LENGTH[end - start];
  if (bucket === undefined) return undefined;
  const first = text.charCodeAt(start);
  const eighth = text.charCodeAt(start + 7);
  for (const s of bucket) if (s.first === first && s.eighth === eighth) return text.startsWith(s.type, start) ? s : undefined;
  return undefined;
}
