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

const ISO_TV = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):?(\d\d))$/;

/** EventTV / SessionTV: `seconds-micro` (epoch) or ISO 8601 with its offset (`2015-05-24T08:42:16.296+0300`). NaN if neither. */
export function parseEventTv(text: string): number {
  const dash = text.indexOf('-');
  if (dash > 0 && dash <= 12 && text.indexOf('T') < 0) {
    const sec = text.slice(0, dash);
    const micro = text.slice(dash + 1);
    if (!/^\d+$/.test(sec) || !/^\d{1,6}$/.test(micro)) return NaN;
    return Number(sec) * 1000 + Math.floor(Number(micro.padEnd(6, '0')) / 1000);
  }
  const m = ISO_TV.exec(text);
  if (m === null) return NaN;
  const frac = Number(((m[7] ?? '') + '000').slice(0, 3));
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac);
  if (m[8] === 'Z') return utc;
  const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  return m[9] === '+' ? utc - offset : utc + offset;
}
