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

/** Month index of a `%b` abbreviation at `pos`, or -1. */
export function monthAt(text: string, pos: number): number {
  const i = MONTHS.indexOf(text.slice(pos, pos + 3));
  return i >= 0 && i % 3 === 0 ? i / 3 : -1;
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

/** `seconds-micro`, the old EventTV: epoch seconds, a dash, microseconds. */
function parseSecondsMicro(text: string, dash: number): number {
  const micro = text.length - dash - 1;
  if (dash > 12 || micro < 1 || micro > 6) return NaN;
  return digits(text, 0, dash) * 1000 + Math.floor((digits(text, dash + 1, text.length) * 10 ** (6 - micro)) / 1000);
}

/** `2015-05-24T08:42:16[.296](+0300|+03:00|Z)`, read by position: EventTV is on the hot path of every security line. */
function parseIsoTv(text: string): number {
  if (text.length < 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN;
  let p = 19;
  let ms = 0;
  if (text.charCodeAt(p) === 46) {
    let e = p + 1;
    while (e < text.length && e - p <= 9 && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++;
    const n = e - p - 1;
    if (n === 0) return NaN;
    ms = n >= 3 ? digits(text, p + 1, p + 4) : digits(text, p + 1, e) * 10 ** (3 - n);
    p = e;
  }
  const utc = Date.UTC(digits(text, 0, 4), digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), ms);
  const sign = text.charCodeAt(p);
  if (sign === 90) return p + 1 === text.length ? utc : NaN;
  if (sign !== 43 && sign !== 45) return NaN;
  const colon = text.charCodeAt(p + 3) === 58 ? 1 : 0;
  if (text.length !== p + 5 + colon) return NaN;
  const offset = (digits(text, p + 1, p + 3) * 60 + digits(text, p + 3 + colon, p + 5 + colon)) * 60_000;
  return sign === 43 ? utc - offset : utc + offset;
}

/** EventTV / SessionTV: `seconds-micro` (epoch) or ISO 8601 with its offset (`2015-05-24T08:42:16.296+0300`). NaN if neither. */
export function parseEventTv(text: string): number {
  const dash = text.indexOf('-');
  if (dash > 0 && text.indexOf('T') < 0) return parseSecondsMicro(text, dash);
  return parseIsoTv(text);
}
