import { checkTimeZone } from './log-time';
import { DateForm, newPrefix, parsePrefix, prefixTime, type LinePrefix } from './line-prefix';
import { parseNotice } from './notice-line';
import type { LineResult, ParseOptions, RejectReason } from './parse-outcome';
import type { Endpoint } from './remote-address';
import { readCommonSecurityEntry, readCommonSecurityLine } from './common-security-entry';
import { parseSecurityEntry } from './security-log';
import { MAX_ACCOUNT_LENGTH, MAX_SESSION_LENGTH, isFailureType, type EventSource, type SecurityEvent, type SecurityEventType } from './security-event';

/** Options with defaults applied and the zone checked. */
export interface ParseContext {
  timeZone: string;
  now: number | undefined;
  maxLineLength: number;
}

export const DEFAULT_MAX_LINE_LENGTH = 16_384;

/** Applies defaults; throws RangeError for an unknown time zone or a bad maxLineLength (configuration, not input). */
export function resolveOptions(options: ParseOptions = {}): ParseContext {
  const timeZone = options.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!(maxLineLength > 0)) throw new RangeError(`maxLineLength must be positive, got ${maxLineLength}`);
  return { timeZone, now: options.now, maxLineLength };
}

/** The result for one entry; `incomplete` rejections may still be completed by a continuation line. */
export type EntryResult =
  | { kind: 'event'; event: SecurityEvent; security: boolean }
  | { kind: 'rejected'; reason: RejectReason; security: boolean; incomplete: boolean }
  | { kind: 'ignored' };

const IGNORED: EntryResult = { kind: 'ignored' };
const MARKER = 'SecurityEvent="';

const reject = (reason: RejectReason, security: boolean, incomplete = false): EntryResult => ({ kind: 'rejected', reason, security, incomplete });

/** The cheap first test: nothing else is looked at in a line that has neither marker. */
export const mayBeRelevant = (line: string): boolean => line.indexOf(MARKER) >= 0 || line.indexOf('NOTICE') >= 0;

/** Strips the line terminator(s) Asterisk or a CRLF transfer left. */
export function trimEol(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 10)) end--;
  return end === line.length ? line : line.slice(0, end);
}

function cap(value: string | null, max: number): string | null {
  if (value === null || value === '' || value === '<unknown>') return null;
  return value.length > max ? value.slice(0, max) : value;
}

function entryTime(text: string, prefix: LinePrefix, ctx: ParseContext): number {
  const t = prefixTime(text, prefix, ctx.timeZone, ctx.now);
  if (!Number.isNaN(t)) return t;
  return prefix.dateForm === DateForm.None && ctx.now !== undefined ? ctx.now : NaN;
}

interface Fields {
  type: SecurityEventType;
  service: string;
  remote: Endpoint;
  account: string | null;
  session: string | null;
}

function toEvent(time: number, f: Fields, source: EventSource, local: string | null): EntryResult {
  const security = source === 'security';
  if (Number.isNaN(time)) return reject('no-time', security);
  const event: SecurityEvent = {
    time,
    type: f.type,
    failure: isFailureType(f.type),
    ip: f.remote.ip,
    port: f.remote.port,
    transport: f.remote.transport,
    service: f.service,
    account: cap(f.account, MAX_ACCOUNT_LENGTH),
    session: cap(f.session, MAX_SESSION_LENGTH),
    localAddress: local,
    source,
  };
  return { kind: 'event', event, security };
}

/**
 * Parses one entry: a physical line, or a line with its continuations joined by `\n`. `prefix` must hold
 * the prefix of `text` (see parsePrefix). Never throws.
 */
export function parseEntry(text: string, prefix: LinePrefix, ctx: ParseContext): EntryResult {
  if (text.length > ctx.maxLineLength) {
    const marker = text.indexOf(MARKER);
    return marker >= 0 || text.indexOf('NOTICE') >= 0 ? reject('too-long', marker >= 0) : IGNORED;
  }
  const isSecurity = prefix.levelEnd - prefix.levelStart === 8 && text.startsWith('SECURITY', prefix.levelStart);
  // Only res_security_log's own lines: a VERBOSE or NOTICE message can start with caller-chosen text.
  if (isSecurity && prefix.messageStart >= 0 && text.startsWith(MARKER, prefix.messageStart)) {
    const r = readCommonSecurityEntry(text, prefix.messageStart) ?? parseSecurityEntry(text, prefix.messageStart);
    if (!r.ok) return reject(r.reason, true, r.incomplete);
    const time = Number.isNaN(r.time) ? entryTime(text, prefix, ctx) : r.time;
    return toEvent(time, r, 'security', r.local);
  }
  const isNotice = prefix.levelEnd - prefix.levelStart === 6 && text.startsWith('NOTICE', prefix.levelStart);
  if (!isNotice || prefix.messageStart < 0) return IGNORED;
  const callId = prefix.callIdStart >= 0 ? text.slice(prefix.callIdStart, prefix.callIdEnd) : null;
  const r = parseNotice(text, prefix.messageStart, callId);
  if (r === null) return IGNORED;
  if (typeof r === 'string') return reject(r, false);
  return toEvent(entryTime(text, prefix, ctx), r, r.source, null);
}

/**
 * The entry of a whole security line of Asterisk's own format at `text[start, ...)` in a block of lines (see
 * readCommonSecurityLine), as parsePrefix and parseEntry would return it for that line cut out; null when the line
 * is not such a line, which then takes the careful path.
 */
export function parseCommonSecurityLine(text: string, start: number): EntryResult | null {
  const r = readCommonSecurityLine(text, start);
  // Without a usable EventTV the time comes from the prefix: the careful path knows how.
  if (r === null || Number.isNaN(r.time)) return null;
  return toEvent(r.time, r, 'security', r.local);
}

const decoder = new TextDecoder('utf-8');
const contexts = new WeakMap<ParseOptions, ParseContext>();
const sharedPrefix = newPrefix();

/** Bytes are decoded as UTF-8 (invalid sequences become U+FFFD); the line terminator is dropped. */
export const toText = (line: string | Uint8Array): string => trimEol(typeof line === 'string' ? line : decoder.decode(line));

/**
 * Parses one physical line on its own: an event, a counted rejection, or ignored (not security-relevant).
 * Pure and stateless; a multi-line entry needs {@link AsteriskLogParser}. Never throws on any line; throws
 * RangeError only for bad options (an unknown time zone).
 */
export function parseLine(line: string | Uint8Array, options: ParseOptions = {}): LineResult {
  let ctx = contexts.get(options);
  if (ctx === undefined) contexts.set(options, (ctx = resolveOptions(options)));
  const text = toText(line);
  if (!mayBeRelevant(text)) return IGNORED as LineResult;
  parsePrefix(text, sharedPrefix);
  const r = parseEntry(text, sharedPrefix, ctx);
  if (r.kind === 'event') return { kind: 'event', event: r.event };
  if (r.kind === 'rejected') return { kind: 'rejected', reason: r.reason };
  return IGNORED as LineResult;
}
