import { inferYear, localToEpoch, monthAt } from './log-time';

/** How the entry's date is written. */
export const enum DateForm {
  None = 0,
  /** `%b %e %T`: `Nov 29 14:21:18`, `Dec  5 09:01:02` (no year). */
  Bsd = 1,
  /** `2026-11-29 14:21:18`, optionally `.123`, or the RFC 3339 form of syslog. */
  Iso = 2,
}

/**
 * What precedes the message of one physical line: the Asterisk, syslog or journald prefix. Mutable and reused:
 * the parser fills one instance per line rather than allocating. Positions index into the line.
 */
export interface LinePrefix {
  /** A log prefix was recognised (a date, a `program[pid]:` tag, or a level such as `NOTICE[123]`). */
  present: boolean;
  dateForm: DateForm;
  dateStart: number;
  /** End (exclusive) of the date text. */
  dateEnd: number;
  /** Start and end of the level word (`NOTICE`, `SECURITY`, ...), or -1. */
  levelStart: number;
  levelEnd: number;
  /** The `[C-0000001a]` call id, without brackets, or -1. */
  callIdStart: number;
  callIdEnd: number;
  /** Where the message starts, after `file.c[:line][ [in ]function]: `, or -1 when that location is absent. */
  messageStart: number;
}

export const newPrefix = (): LinePrefix => ({ present: false, dateForm: DateForm.None, dateStart: -1, dateEnd: -1, levelStart: -1, levelEnd: -1, callIdStart: -1, callIdEnd: -1, messageStart: -1 });

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
/** `file.c[:line][ [in ]function]: `, the source location Asterisk writes before the message. */
const LOCATION_SOURCE = '[A-Za-z0-9_./-]+\\.c(?::\\d+)?(?: (?:in )?[A-Za-z0-9_]+)?: ';
const LOCATION = new RegExp(LOCATION_SOURCE, 'y');
const MONTH_NAMES = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
/**
 * The dates of Asterisk's own prefix, `[Nov 29 14:21:18] ` and `[2026-11-29 14:21:18[.123]] `: narrower than what
 * {@link parsePrefix} accepts, so that a line starting with one has a prefix for parsePrefix too.
 */
const ASTERISK_DATE_SOURCE = `\\[(?:(?:${MONTH_NAMES}) [ \\d]\\d \\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,6})?)\\] `;
const ASTERISK_DATE = new RegExp(ASTERISK_DATE_SOURCE, 'y');

/** Whether the line at `text[pos, ...)` starts with one of Asterisk's own dates (then parsePrefix finds a prefix). */
export function startsWithAsteriskDate(text: string, pos: number): boolean {
  ASTERISK_DATE.lastIndex = pos;
  return ASTERISK_DATE.test(text);
}
const PROGRAM = /[a-z][A-Za-z0-9_./-]*\[\d+\]: /y;
const SYSLOG_RFC3339 = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) \S+ /y;

/** `HH:MM:SS` at pos. */
function timeAt(line: string, pos: number): boolean {
  return isDigit(line.charCodeAt(pos)) && isDigit(line.charCodeAt(pos + 1)) && line.charCodeAt(pos + 2) === 58 && isDigit(line.charCodeAt(pos + 3)) && isDigit(line.charCodeAt(pos + 4)) && line.charCodeAt(pos + 5) === 58 && isDigit(line.charCodeAt(pos + 6)) && isDigit(line.charCodeAt(pos + 7));
}

/** `[date] ` at pos; returns the position after it, or -1. */
function bracketDate(line: string, pos: number, out: LinePrefix): number {
  if (line.charCodeAt(pos) !== 91) return -1;
  const close = line.indexOf('] ', pos + 1);
  if (close < 0 || close - pos > 32) return -1;
  if (monthAt(line, pos + 1) >= 0 && line.charCodeAt(pos + 4) === 32 && timeAt(line, pos + 8) && close === pos + 16) {
    out.dateForm = DateForm.Bsd;
  } else if (isDigit(line.charCodeAt(pos + 1)) && line.charCodeAt(pos + 5) === 45 && timeAt(line, pos + 12)) {
    out.dateForm = DateForm.Iso;
  } else {
    return -1;
  }
  out.dateStart = pos + 1;
  out.dateEnd = close;
  return close + 2;
}

/** Syslog `Nov 29 14:21:18 host ` (day padded or not) or RFC 3339 `2026-11-29T14:21:18.1+01:00 host `. */
function syslogDate(line: string, pos: number, out: LinePrefix): number {
  if (monthAt(line, pos) >= 0 && line.charCodeAt(pos + 3) === 32) {
    let p = pos + 4;
    if (line.charCodeAt(p) === 32) p++;
    const dayStart = p;
    while (isDigit(line.charCodeAt(p)) && p - dayStart < 2) p++;
    if (p === dayStart || line.charCodeAt(p) !== 32 || !timeAt(line, p + 1) || line.charCodeAt(p + 9) !== 32) return -1;
    const hostEnd = line.indexOf(' ', p + 10);
    if (hostEnd <= p + 10) return -1;
    out.dateForm = DateForm.Bsd;
    out.dateStart = pos;
    out.dateEnd = p + 9;
    return hostEnd + 1;
  }
  if (!isDigit(line.charCodeAt(pos))) return -1;
  SYSLOG_RFC3339.lastIndex = pos;
  if (!SYSLOG_RFC3339.test(line)) return -1;
  out.dateForm = DateForm.Iso;
  out.dateStart = pos;
  out.dateEnd = line.indexOf(' ', pos);
  return SYSLOG_RFC3339.lastIndex;
}

/** `LEVEL[tid][C-xxxxxxxx]: ` (space before `[`, call id and colon optional). Returns the position after it, or -1. */
function level(line: string, pos: number, out: LinePrefix): number {
  let p = pos;
  while (isUpper(line.charCodeAt(p))) p++;
  if (p === pos || p - pos > 12) return -1;
  out.levelStart = pos;
  out.levelEnd = p;
  if (line.charCodeAt(p) === 32 && line.charCodeAt(p + 1) === 91) p++;
  if (line.charCodeAt(p) !== 91) return -1;
  const close = line.indexOf(']', p);
  if (close < 0 || close - p > 12) return -1;
  p = close + 1;
  if (line.charCodeAt(p) === 91 && line.charCodeAt(p + 1) === 67 && line.charCodeAt(p + 2) === 45) {
    const end = line.indexOf(']', p);
    if (end < 0 || end - p > 24) return -1;
    out.callIdStart = p + 1;
    out.callIdEnd = end;
    p = end + 1;
  }
  if (line.charCodeAt(p) === 58) p++;
  return line.charCodeAt(p) === 32 ? p + 1 : -1;
}

/**
 * An expression for Asterisk's own prefix of level `level` (an expression too), `[date] LEVEL[tid][[C-callid]][:]
 * location: `, as the general reader below reads it (date at 1, level right after `] `, message after the location),
 * narrowed to what makes that reading certain. The prefix is capture 1 of a lookahead, matched through the
 * backreference: atomic, so that the engine cannot choose another split of the location than the general reader's
 * expression does, whatever follows in a longer expression.
 */
export const asteriskPrefixSource = (level: string): string => `(?=(${ASTERISK_DATE_SOURCE}${level}\\[\\d{1,10}\\](?:\\[C-[0-9A-Fa-f]{1,16}\\])?:? ${LOCATION_SOURCE}))\\1`;

const ASTERISK_PREFIX = new RegExp(asteriskPrefixSource('[A-Z]{1,12}'), 'y');
const ASTERISK_NOTICE_PREFIX = new RegExp(asteriskPrefixSource('NOTICE'), 'y');

/**
 * Where the message of a NOTICE line of Asterisk's own format starting at `text[pos]` starts (as parsePrefix would
 * put it, relative to `text`), or -1 for any other line: for a reader holding a block of lines.
 */
export function noticeMessageAt(text: string, pos: number): number {
  ASTERISK_NOTICE_PREFIX.lastIndex = pos;
  return ASTERISK_NOTICE_PREFIX.test(text) ? ASTERISK_NOTICE_PREFIX.lastIndex : -1;
}

/** The prefix of Asterisk's own format in one pass, positions found from what the expression checked; false for any other line. */
function asteriskPrefix(line: string, out: LinePrefix): boolean {
  ASTERISK_PREFIX.lastIndex = 0;
  if (!ASTERISK_PREFIX.test(line)) return false;
  const iso = isDigit(line.charCodeAt(1));
  out.present = true;
  out.dateForm = iso ? DateForm.Iso : DateForm.Bsd;
  out.dateStart = 1;
  out.dateEnd = iso ? line.indexOf(']', 20) : 16;
  out.levelStart = out.dateEnd + 2;
  out.levelEnd = line.indexOf('[', out.levelStart);
  const afterTid = line.indexOf(']', out.levelEnd) + 1;
  if (line.charCodeAt(afterTid) === 91) {
    out.callIdStart = afterTid + 1;
    out.callIdEnd = line.indexOf(']', afterTid);
  } else {
    out.callIdStart = out.callIdEnd = -1;
  }
  out.messageStart = ASTERISK_PREFIX.lastIndex;
  return true;
}

/** Fills `out` with the prefix of `line`. Trusted text only: everything here is written by Asterisk or syslog. */
export function parsePrefix(line: string, out: LinePrefix): void {
  if (line.charCodeAt(0) !== 91 || !asteriskPrefix(line, out)) parseAnyPrefix(line, out);
}

/** {@link parsePrefix} for every form, Asterisk's own included, step by step (exported for the spec that compares the two). */
export function parseAnyPrefix(line: string, out: LinePrefix): void {
  out.present = false;
  out.dateForm = DateForm.None;
  out.dateStart = out.dateEnd = out.levelStart = out.levelEnd = out.callIdStart = out.callIdEnd = out.messageStart = -1;
  let p = bracketDate(line, 0, out);
  if (p < 0) p = syslogDate(line, 0, out);
  if (p < 0) p = 0;
  PROGRAM.lastIndex = p;
  if (isLower(line.charCodeAt(p)) && PROGRAM.test(line)) p = PROGRAM.lastIndex;
  if (out.dateForm === DateForm.None) {
    const after = bracketDate(line, p, out);
    if (after >= 0) p = after;
  }
  out.present = p > 0;
  const afterLevel = level(line, p, out);
  if (afterLevel < 0) {
    out.levelStart = out.levelEnd = -1;
    return;
  }
  out.present = true;
  LOCATION.lastIndex = afterLevel;
  if (LOCATION.test(line)) out.messageStart = LOCATION.lastIndex;
}

const num = (line: string, from: number, to: number): number => {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return from < to ? v : NaN;
};

const RFC3339_TIME = /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))/y;

/** The last date computed, and what it depended on: consecutive lines mostly share their second. */
const last: { date: string; timeZone: string; nowMinute: number | undefined; time: number } = { date: '', timeZone: '', nowMinute: NaN, time: NaN };

/** Epoch ms of the prefix date (PBX-local unless it carries an offset), or NaN when absent or unusable. Memoizes the last date. */
export function prefixTime(line: string, prefix: LinePrefix, timeZone: string, now: number | undefined): number {
  if (prefix.dateForm === DateForm.None) return NaN;
  const nowMinute = now === undefined ? undefined : Math.floor(now / 60_000);
  const { dateStart, dateEnd } = prefix;
  if (dateEnd - dateStart === last.date.length && line.startsWith(last.date, dateStart) && timeZone === last.timeZone && nowMinute === last.nowMinute) return last.time;
  last.time = computePrefixTime(line, prefix, timeZone, now);
  last.date = line.slice(dateStart, dateEnd);
  last.timeZone = timeZone;
  last.nowMinute = nowMinute;
  return last.time;
}

function computePrefixTime(line: string, prefix: LinePrefix, timeZone: string, now: number | undefined): number {
  const p = prefix.dateStart;
  if (prefix.dateForm === DateForm.Bsd) {
    if (now === undefined) return NaN;
    const mo = monthAt(line, p);
    let q = p + 4;
    while (line.charCodeAt(q) === 32) q++;
    const dayStart = q;
    while (isDigit(line.charCodeAt(q))) q++;
    const d = num(line, dayStart, q);
    const t = q + 1;
    if (!(d >= 1 && d <= 31) || !timeAt(line, t)) return NaN;
    return inferYear(timeZone, now, mo, d, num(line, t, t + 2), num(line, t + 3, t + 5), num(line, t + 6, t + 8), 0);
  }
  if (prefix.dateForm !== DateForm.Iso) return NaN;
  if (line.charCodeAt(p + 10) === 84) {
    RFC3339_TIME.lastIndex = p;
    const m = RFC3339_TIME.exec(line);
    if (m === null) return NaN;
    const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(((m[7] ?? '') + '000').slice(0, 3)));
    if (m[8] === 'Z') return utc;
    const off = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    return m[9] === '+' ? utc - off : utc + off;
  }
  let ms = 0;
  if (line.charCodeAt(p + 19) === 46) {
    let e = p + 20;
    while (isDigit(line.charCodeAt(e)) && e < p + 29) e++;
    ms = num(line, p + 20, Math.min(e, p + 23));
    if (e - (p + 20) < 3) ms *= 10 ** (3 - (e - (p + 20)));
  }
  const [y, mo, d, h, mi, s] = [num(line, p, p + 4), num(line, p + 5, p + 7), num(line, p + 8, p + 10), num(line, p + 11, p + 13), num(line, p + 14, p + 16), num(line, p + 17, p + 19)];
  if ([y, mo, d, h, mi, s, ms].some(Number.isNaN) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  return localToEpoch(timeZone, y, mo - 1, d, h, mi, s, ms);
}
