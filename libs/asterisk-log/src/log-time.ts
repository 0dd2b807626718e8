/** Time helpers: PBX-local prefix dates to epoch ms, EventTV, year inference. Pure: `now` is always a parameter. */

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAY_MS = 86_400_000;

/** A `%b %e %T` date more than this far ahead of `now` belongs to the previous year; closer is clock skew. */
const FUTURE_TOLERANCE_MS = DAY_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Throws RangeError for an unknown IANA zone: options are checked once, never per line. */
export function checkTimeZone(timeZone: string): void {
  if (timeZone === 'UTC') return;
  formatterFor(timeZone);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of the zone from UTC at an instant, in ms; cached per zone and quarter hour (zones change on 15-minute marks). */
function zoneOffset(timeZone: string, utcMs: number): number {
  const key = `${timeZone}|${Math.floor(utcMs / 900_000)}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const offset = asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/** Epoch ms of a wall-clock time in a zone (the earlier instant when a DST fold repeats it). */
export function localToEpoch(timeZone: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const guess = Date.UTC(y, mo, d, h, mi, s, ms);
  if (timeZone === 'UTC') return guess;
  const first = guess - zoneOffset(timeZone, guess);
  const second = guess - zoneOffset(timeZone, first);
  return Math.min(first, second);
}

/** The 12 `%b` abbreviations, each packed into one number (three 16-bit char codes) so a line's month compares without slicing. */
const PACKED_MONTHS = Array.from({ length: 12 }, (_, i) => MONTHS.charCodeAt(i * 3) * 2 ** 32 + MONTHS.charCodeAt(i * 3 + 1) * 2 ** 16 + MONTHS.charCodeAt(i * 3 + 2));

/** Month index of a `%b` abbreviation (all three letters) at `pos`, or -1. */
export function monthAt(text: string, pos: number): number {
  if (pos + 3 > text.length) return -1;
  const packed = text.charCodeAt(pos) * 2 ** 32 + text.charCodeAt(pos + 1) * 2 ** 16 + text.charCodeAt(pos + 2);
  return PACKED_MONTHS.indexOf(packed);
}

/** Year-less local date: picks the year so the time is not in the future, and clamps clock skew to `now`. */
export function inferYear(timeZone: string, now: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const year = new Date(now + (timeZone === 'UTC' ? 0 : zoneOffset(timeZone, now))).getUTCFullYear();
  let t = localToEpoch(timeZone, year, mo, d, h, mi, s, ms);
  if (t > now + FUTURE_TOLERANCE_MS) t = localToEpoch(timeZone, year - 1, mo, d, h, mi, s, ms);
  return Math.min(t, now);
}

const digits = (text: string, from: number, to: number): number => {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
};

/** `seconds-micro`, the old EventTV: epoch seconds, a dash, microseconds, at `text[b, e)`. */
function parseSecondsMicro(text: string, b: number, e: number, dash: number): number {
  const micro = e - dash - 1;
  if (dash - b > 12 || micro < 1 || micro > 6) return NaN;
  return digits(text, b, dash) * 1000 + Math.floor((digits(text, dash + 1, e) * 10 ** (6 - micro)) / 1000);
}

/** The minute of the last ISO EventTV (`2015-05-24T08:42`) and its epoch ms: consecutive entries share it. */
let minuteText = '';
let minuteMs = NaN;

/** Epoch ms of the minute `YYYY-MM-DDTHH:MM` at b (Date.UTC is linear in seconds and ms, so they are added after). */
function minuteAt(text: string, b: number): number {
  if (minuteText.length === 16 && text.startsWith(minuteText, b)) return minuteMs;
  minuteMs = Date.UTC(digits(text, b, b + 4), digits(text, b + 5, b + 7) - 1, digits(text, b + 8, b + 10), digits(text, b + 11, b + 13), digits(text, b + 14, b + 16), 0, 0);
  minuteText = text.slice(b, b + 16);
  return minuteMs;
}

/** `2015-05-24T08:42:16[.296](+0300|+03:00|Z)` at `text[b, e)`, read by position: EventTV is on the hot path of every security line. */
function parseIsoTv(text: string, b: number, e: number): number {
  if (e - b < 20 || text.charCodeAt(b + 4) !== 45 || text.charCodeAt(b + 7) !== 45 || text.charCodeAt(b + 10) !== 84 || text.charCodeAt(b + 13) !== 58 || text.charCodeAt(b + 16) !== 58) return NaN;
  let p = b + 19;
  let ms = 0;
  if (text.charCodeAt(p) === 46) {
    let q = p + 1;
    while (q < e && q - p <= 9 && text.charCodeAt(q) >= 48 && text.charCodeAt(q) <= 57) q++;
    const n = q - p - 1;
    if (n === 0) return NaN;
    ms = n >= 3 ? digits(text, p + 1, p + 4) : digits(text, p + 1, q) * 10 ** (3 - n);
    p = q;
  }
  const utc = minuteAt(text, b) + digits(text, b + 17, b + 19) * 1000 + ms;
  const sign = p < e ? text.charCodeAt(p) : -1;
  if (sign === 90) return p + 1 === e ? utc : NaN;
  if (sign !== 43 && sign !== 45) return NaN;
  const colon = text.charCodeAt(p + 3) === 58 ? 1 : 0;
  if (e !== p + 5 + colon) return NaN;
  const offset = (digits(text, p + 1, p + 3) * 60 + digits(text, p + 3 + colon, p + 5 + colon)) * 60_000;
  return sign === 43 ? utc - offset : utc + offset;
}

/**
 * EventTV / SessionTV at `text[start, end)` (the whole string by default): `seconds-micro` (epoch) or ISO 8601
 * with its offset (`2015-05-24T08:42:16.296+0300`). NaN if neither.
 */
export function parseEventTv(text: string, start = 0, end = text.length): number {
  // A `T` anywhere means ISO; where ISO puts it is checked first, the per-character scan is for the other form.
  if (start + 10 < end && text.charCodeAt(start + 10) === 84) return parseIsoTv(text, start, end);
  let dash = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 84) return parseIsoTv(text, start, end);
    if (c === 45 && dash < 0) dash = i;
  }
  return dash > start ? parseSecondsMicro(text, start, end, dash) : parseIsoTv(text, start, end);
}
