/** Seconds per unit. fail2ban (server/mytime.py str2seconds) accepts the same suffixes and their long forms. */
const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
  w: 604_800,
  week: 604_800,
};

const PART = /(\d+(?:\.\d+)?)\s*([a-z]*)/gy;

/**
 * Parses a duration into seconds: a number (seconds), a numeric string, or one or more `<n><unit>` parts,
 * e.g. `600`, `'10m'`, `'1h30m'`, `'1d'`, `'1w'`, `'2 hours'`, `'500ms'`. Throws on anything else,
 * naming the text. Negative numbers are not durations here: callers that accept `-1` (permanent) check first.
 */
export function parseDuration(input: number | string): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`duration ${input} must be a finite number of seconds >= 0`);
    return input;
  }
  const text = input.trim().toLowerCase();
  if (text === '') throw new Error('duration is empty: write seconds or e.g. 10m, 1h, 1d, 1w');
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null || match[0] === '') throw new Error(`"${input}" is not a duration at "${text.slice(start)}": write seconds or e.g. 10m, 1h, 1d, 1w`);
    const unit = unitSeconds(match[2] ?? '', input);
    total += Number(match[1]) * unit;
    while (text[PART.lastIndex] === ' ') PART.lastIndex++;
  }
  return Math.round(total * 1000) / 1000;
}

function unitSeconds(unit: string, input: string): number {
  if (unit === '') return 1;
  const singular = unit.length > 3 && unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const seconds = UNIT_SECONDS[unit] ?? UNIT_SECONDS[singular];
  if (seconds === undefined) throw new Error(`"${input}": unknown duration unit "${unit}" (use ms, s, m, h, d or w)`);
  return seconds;
}

/** Shortest exact text for a number of seconds, e.g. 600 -> '10m', 86400 -> '1d', 90 -> '90s'. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
