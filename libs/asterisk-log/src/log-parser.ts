import { isAscii } from 'node:buffer';
import { newPrefix, parsePrefix } from './line-prefix';
import { mayBeRelevant, parseEntry, resolveOptions, toText, type EntryResult, type ParseContext } from './line-parser';
import { REJECT_REASONS, type ParseOptions, type ParseOutcome, type ParserStats, type RejectReason } from './parse-outcome';

/** Physical lines one entry may span (a From user with a few `%0A`); more is an attack or garbage. */
const MAX_PARTS = 16;
const NONE: ParseOutcome[] = [];
/** A byte over 0x7F in a block read as latin1: the lines holding one are decoded as UTF-8. */
const NON_ASCII = /[\u0080-\u00ff]/g;

interface Held {
  text: string;
  line: number;
  result: EntryResult;
  parts: number;
}

/** Where `what` next occurs in `text[from, end)`, or `end`. */
function indexOrEnd(text: string, what: string, from: number, end: number): number {
  const i = text.indexOf(what, from);
  return i < 0 || i > end ? end : i;
}

/** `Asterisk 22.10.1 built by root @ pbx on a x86_64 running Linux on ...`, written when a log file is opened. */
const isBanner = (text: string): boolean => text.startsWith('Asterisk ') && text.includes(' built by ') && !text.includes('"');

/**
 * The line-level parser: feed it physical lines in order, get events and counted rejections.
 *
 * Asterisk writes attacker text unescaped, and a `%0A` in a SIP From user becomes a real newline inside
 * AccountID, so one security event can span several physical lines, the later ones without a prefix. The
 * parser therefore holds each security-log entry until the next physical line shows whether it continues:
 * a line without a prefix is joined to it; a prefixed line (or a banner, or {@link flush}) closes it. A held
 * entry that did not parse is also joined to a following prefixed line when the join parses (a forged prefix
 * inside the From user must not cut the real entry). Callers following a live file call `flush()` when no
 * more data comes for a moment (Asterisk writes one entry, newlines included, in one write).
 *
 * Never throws on any input. Not safe to share between files: one instance per followed file.
 */
export class AsteriskLogParser {
  readonly stats: ParserStats;
  private readonly ctx: ParseContext;
  private readonly prefix = newPrefix();
  private held: Held | null = null;

  /** Throws RangeError for bad options (unknown time zone), never for input. */
  constructor(options: ParseOptions = {}) {
    this.ctx = resolveOptions(options);
    const rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
    this.stats = { lines: 0, events: 0, ignored: 0, continuations: 0, rejected };
  }

  /** Moves "now" forward (year inference, undated lines) for a long-running follower. */
  setNow(now: number): void {
    this.ctx.now = now;
  }

  /** Takes the physical line numbered `lineNumber` (1-based, terminator optional); returns what it completed. */
  push(line: string | Uint8Array, lineNumber: number): ParseOutcome[] {
    this.stats.lines++;
    const text = toText(line);
    const held = this.held;
    if (held === null) return this.start(text, lineNumber);
    parsePrefix(text, this.prefix);
    if (!this.prefix.present && !isBanner(text)) {
      this.extend(held, text);
      return NONE;
    }
    if (held.result.kind === 'rejected' && held.result.incomplete) {
      if (this.tryJoin(held, text)) return NONE;
      parsePrefix(text, this.prefix); // tryJoin parsed the joined text into this.prefix
    }
    const closed = this.finish(held);
    const next = this.start(text, lineNumber, true);
    if (next.length === 0) return [closed];
    return [closed, next[0] as ParseOutcome];
  }

  /**
   * Takes the physical lines of the UTF-8 `bytes[start, end)`, separated by `\n` (a last line without one is a line
   * too), numbered from `firstLineNumber`; returns what they completed. The same outcomes and stats as {@link push}
   * line by line, except that a line longer than `maxLineLength` is taken as {@link pushOversized} takes it (counted
   * `too-long`, never parsed), as a reader that had to cut it would. Built for a reader holding a block of a file:
   * most lines of a main log are noise, so the block is read as latin1 (one byte is one character: offsets stay
   * byte offsets, and the ASCII markers are found as they are) and, while no entry is held, lines before the next
   * `SecurityEvent="` or `NOTICE` are counted ignored without being decoded, sliced or examined one by one. Only a
   * line that goes to {@link push} and holds a byte over 0x7F is decoded as UTF-8.
   */
  pushBytes(bytes: Buffer, start: number, end: number, firstLineNumber: number): ParseOutcome[] {
    const out: ParseOutcome[] = [];
    const text = bytes.toString('latin1', start, end);
    const length = text.length;
    const max = this.ctx.maxLineLength;
    // Checked once for the whole block (vectorised), so an ASCII block is never scanned for the odd byte.
    let nextNonAscii = isAscii(bytes.subarray(start, end)) ? length : -1;
    let line = firstLineNumber;
    let p = 0;
    let nextSecurity = -1;
    let nextNotice = -1;
    while (p < length) {
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = length;
      if (this.held === null && nl - p <= max) {
        if (nextSecurity < p) nextSecurity = indexOrEnd(text, 'SecurityEvent="', p, length);
        if (nextNotice < p) nextNotice = indexOrEnd(text, 'NOTICE', p, length);
        if (Math.min(nextSecurity, nextNotice) >= nl) {
          // Neither marker on this line: push() would count it ignored.
          this.stats.lines++;
          this.stats.ignored++;
          line++;
          p = nl + 1;
          continue;
        }
      }
      if (nextNonAscii < p) {
        NON_ASCII.lastIndex = p;
        nextNonAscii = NON_ASCII.test(text) ? NON_ASCII.lastIndex - 1 : length;
      }
      const lineText = nextNonAscii >= nl ? text.slice(p, nl) : bytes.toString('utf8', start + p, start + nl);
      const outcomes = lineText.length > max ? this.pushOversized(line) : this.push(lineText, line);
      for (const o of outcomes) out.push(o);
      line++;
      p = nl + 1;
    }
    return out;
  }

  /**
   * A physical line the reader had to cut (longer than it buffers). Never parsed: a cut line could end right after
   * a forged address. It closes any held entry and is counted as `too-long`.
   */
  pushOversized(lineNumber: number): ParseOutcome[] {
    this.stats.lines++;
    const out = this.held === null ? [] : [this.finish(this.held)];
    out.push(this.count({ kind: 'rejected', reason: 'too-long', security: false, incomplete: false }, lineNumber));
    return out;
  }

  /** Closes a held entry (end of input, or a pause in a followed file). */
  flush(): ParseOutcome[] {
    return this.held === null ? NONE : [this.finish(this.held)];
  }

  /** `prefixReady`: this.prefix already holds the prefix of `text`. */
  private parse(text: string, prefixReady = false): EntryResult {
    try {
      if (!prefixReady) parsePrefix(text, this.prefix);
      return parseEntry(text, this.prefix, this.ctx);
    } catch {
      // A parser bug must cost one entry, never the agent.
      return { kind: 'rejected', reason: 'malformed', security: false, incomplete: false };
    }
  }

  private start(text: string, lineNumber: number, prefixReady = false): ParseOutcome[] {
    if (!mayBeRelevant(text)) {
      this.stats.ignored++;
      return NONE;
    }
    const r = this.parse(text, prefixReady);
    if (r.kind === 'ignored') {
      this.stats.ignored++;
      return NONE;
    }
    if (r.security) {
      this.held = { text, line: lineNumber, result: r, parts: 1 };
      return NONE;
    }
    return [this.count(r, lineNumber)];
  }

  private extend(held: Held, text: string): void {
    this.stats.continuations++;
    held.parts++;
    const tooLong = held.result.kind === 'rejected' && held.result.reason === 'too-long';
    if (tooLong || held.parts > MAX_PARTS || held.text.length + 1 + text.length > this.ctx.maxLineLength) {
      held.text = '';
      held.result = { kind: 'rejected', reason: 'too-long', security: true, incomplete: false };
      return;
    }
    held.text = `${held.text}\n${text}`;
    held.result = this.parse(held.text);
  }

  private tryJoin(held: Held, text: string): boolean {
    if (held.parts >= MAX_PARTS || held.text.length + 1 + text.length > this.ctx.maxLineLength) return false;
    const joined = `${held.text}\n${text}`;
    const r = this.parse(joined);
    if (r.kind !== 'event') return false;
    this.stats.continuations++;
    held.parts++;
    held.text = joined;
    held.result = r;
    return true;
  }

  private finish(held: Held): ParseOutcome {
    this.held = null;
    return this.count(held.result, held.line);
  }

  private count(r: EntryResult, line: number): ParseOutcome {
    if (r.kind === 'event') {
      this.stats.events++;
      return { kind: 'event', event: r.event, line };
    }
    const reason: RejectReason = r.kind === 'rejected' ? r.reason : 'malformed';
    this.stats.rejected[reason]++;
    return { kind: 'rejected', reason, line };
  }
}
