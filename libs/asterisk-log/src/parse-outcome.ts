import type { SecurityEvent } from './security-event';

/**
 * Why a security-relevant entry was not turned into an event. A closed set, counted per code in
 * {@link ParserStats}; never carries any text of the line (secrets and attacker text stay out).
 * - `ambiguous-address`: attacker-controlled text forged a second plausible remote address and the
 *   structure of the entry cannot tell which one Asterisk wrote.
 * - `malformed`: the entry looks security-relevant but does not have the structure Asterisk writes.
 * - `truncated`: the entry ends before its structure is complete (cut line, or a held multi-line entry
 *   that never completed).
 * - `too-long`: longer than `maxLineLength`; not examined further.
 * - `no-address`: the structure is sound but the remote address is not one IP address.
 * - `no-time`: no usable time (no EventTV, no dated prefix, or a `%b %e` date and no `now`).
 */
export const REJECT_REASONS = ['ambiguous-address', 'malformed', 'truncated', 'too-long', 'no-address', 'no-time'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** One result of the assembler: an event, or a counted rejection; `line` is the 1-based number of the entry's first physical line. */
export type ParseOutcome =
  | { kind: 'event'; event: SecurityEvent; line: number }
  | { kind: 'rejected'; reason: RejectReason; line: number };

/** The result of {@link parseLine} for one physical line. */
export type LineResult = { kind: 'event'; event: SecurityEvent } | { kind: 'rejected'; reason: RejectReason } | { kind: 'ignored' };

export interface ParseOptions {
  /** IANA zone of the PBX, for the local times in line prefixes. Default `UTC`. EventTV carries its own offset. */
  timeZone?: string;
  /**
   * Epoch ms of "now", to infer the year of `%b %e %T` prefixes (never in the future: a `Dec 31` line read
   * on Jan 1 is last year's) and to date undated journald lines. Without it such lines are rejected `no-time`.
   */
  now?: number;
  /** Longest entry examined, in UTF-16 units; longer relevant entries are rejected `too-long`. Default 16384. */
  maxLineLength?: number;
}

/** Counters of an {@link AsteriskLogParser}; `lines` = events + ignored + continuations + sum(rejected). */
export interface ParserStats {
  lines: number;
  events: number;
  /** Lines that are not security-relevant: other levels and messages, banners, blank lines. */
  ignored: number;
  /** Physical lines joined to the entry before them (a newline inside an attacker-controlled value). */
  continuations: number;
  rejected: Record<RejectReason, number>;
}
