import { formatDuration } from '@fleetban/policy';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** A span of seconds in at most two units: 42s, 59m, 3h, 1h30m, 2d, 2d4h. */
export function formatSpan(totalSeconds: number): string {
  const s = Math.floor(Math.abs(totalSeconds));
  if (s < MINUTE) return `${s}s`;
  if (s < HOUR) return `${Math.floor(s / MINUTE)}m`;
  if (s < DAY) return withRest(Math.floor(s / HOUR), 'h', Math.floor((s % HOUR) / MINUTE), 'm');
  return withRest(Math.floor(s / DAY), 'd', Math.floor((s % DAY) / HOUR), 'h');
}

const withRest = (big: number, bigUnit: string, small: number, smallUnit: string): string => `${big}${bigUnit}${small > 0 ? `${small}${smallUnit}` : ''}`;

/** How far `iso` is from `now`: "in 59m", "3h ago", "just now" (within a second). */
export function formatRelative(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = (at - now) / 1000;
  if (Math.abs(seconds) < 1) return 'just now';
  return seconds > 0 ? `in ${formatSpan(seconds)}` : `${formatSpan(seconds)} ago`;
}

/** "2026-11-29 15:20:01 UTC": a fixed zone, so that output pasted from several hosts lines up. */
export function formatAbsolute(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Both: "2026-11-29 15:20:01 UTC (in 59m)"; "-" for no time. */
export function formatTime(iso: string | null | undefined, now: number): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  return `${formatAbsolute(iso)} (${formatRelative(iso, now)})`;
}

/** Seconds as duration text (600 -> 10m, 90 -> 90s); 'permanent' (or -1) as permanent; anything else as is. */
export function formatSeconds(value: unknown): string {
  if (value === 'permanent' || value === -1) return 'permanent';
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? formatDuration(value) : String(value);
}
