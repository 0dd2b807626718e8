import { isAscii } from 'node:buffer';
import { newPrefix, noticeMessageAt, parsePrefix, startsWithAsteriskDate } from './line-prefix';
import { mayBeFailureNotice } from './notice-line';
import { mayBeRelevant, parseCommonSecurityLine, parseEntry, resolveOptions, toText, trimEol, type EntryResult, type ParseContext } from './line-parser';
import { REJECT_REASONS, type ParseOptions, type ParseOutcome, type ParserStats, type RejectReason } from './parse-outcome';

/** Physical lines one entry may span (a From user with a few `%0A`); more is an attack or garbage. */
const MAX_PARTS = 16;
const NONE: ParseOutcome[] = [];
/** A byte over 0x7F in a block read as latin1: the lines holding one are decoded as UTF-8. */
const NON_ASCII = /[\u0080-\u00ff]/g;
/** The most bytes {@link AsteriskLogParser.pushBytes} reads as one string (V8 keeps strings under 128 KB young). */
const WINDOW_BYTES = 1 << 16;

interface Held {
  text: string;
  line: number;
  result: EntryResult;
  parts: number;
}

/** Where the next byte over 0x7F of a window read as latin1 is, from `from` on, or the window's length. */
function nonAsciiFrom(text: string, from: number): number {
  NON_ASCII.lastIndex = from;
  return NON_ASCII.test(text) ? NON_ASCII.lastIndex - 1 : text.length;
}

/** Whether a held entry is closed by the next line with a prefix: all but a rejection that a join could still complete. */
const closable = (held: Held): boolean => held.result.kind !== 'rejected' || !held.result.incomplete;

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
    const out: ParseOutcome[] = [];
    this.take(toText(line), lineNumber, false, out);
    return out.length === 0 ? NONE : out;
  }

  /** {@link push} into `out`; `marked`: the caller saw a marker in the line, which then cannot be noise. */
  private take(text: string, lineNumber: number, marked: boolean, out: ParseOutcome[]): void {
    this.stats.lines++;
    const held = this.held;
    if (held === null) {
      this.start(text, lineNumber, false, marked, out);
      return;
    }
    parsePrefix(text, this.prefix);
    if (!this.prefix.present && !isBanner(text)) {
      this.extend(held, text);
      return;
    }
    if (held.result.kind === 'rejected' && held.result.incomplete) {
      if (this.tryJoin(held, text)) return;
      parsePrefix(text, this.prefix); // tryJoin parsed the joined text into this.prefix
    }
    out.push(this.finish(held));
    this.start(text, lineNumber, true, marked, out);
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
    let line = firstLineNumber;
    for (let from = start; from < end; ) {
      // Windows of whole lines, each small enough for a string in V8's young generation: a larger one goes to the
      // large-object space, freshly mapped pages every time, and reading a block that way cost 10x more (measured).
      let to = end;
      if (end - from > WINDOW_BYTES) {
        const nl = bytes.lastIndexOf(10, from + WINDOW_BYTES - 1);
        to = nl >= from ? nl + 1 : Math.min(end, bytes.indexOf(10, from) + 1 || end);
      }
      line = this.pushWindow(bytes, from, to, line, out);
      from = to;
    }
    return out;
  }

  /** {@link pushBytes} for one window; returns the number of the line after it. */
  private pushWindow(bytes: Buffer, start: number, end: number, firstLineNumber: number, out: ParseOutcome[]): number {
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
      // Whether a marker was seen on the line (only looked for in lines under the cap).
      let marked = false;
      if (nl - p <= max) {
        if (nextSecurity < p) nextSecurity = indexOrEnd(text, 'SecurityEvent="', p, length);
        if (nextNotice < p) nextNotice = indexOrEnd(text, 'NOTICE', p, length);
        if (Math.min(nextSecurity, nextNotice) >= nl) {
          // Neither marker on this line: push() would count it ignored, after closing a held entry if the line has a
          // prefix (one of Asterisk's own dates is enough to know; other lines take the general path).
          const held = this.held;
          if (held !== null && (!closable(held) || !startsWithAsteriskDate(text, p))) {
            if (nextNonAscii < p) nextNonAscii = nonAsciiFrom(text, p);
            line = this.pushLine(bytes, start, text, p, nl, nextNonAscii >= nl, false, line, out);
            p = nl + 1;
            continue;
          }
          this.ignoreLine(out);
          line++;
          p = nl + 1;
          continue;
        }
        marked = true;
        // A line with a prefix of Asterisk's own closes what is held, unless a join could still complete it.
        const closes = this.held === null || closable(this.held);
        if (closes && nextSecurity >= nl) {
          // A NOTICE of Asterisk's own format that no failure starts like: push() would count it ignored.
          const ms = noticeMessageAt(text, p);
          if (ms >= 0 && !mayBeFailureNotice(text, ms)) {
            this.ignoreLine(out);
            line++;
            p = nl + 1;
            continue;
          }
        }
        if (closes && nextSecurity < nl) {
          // The common security line, read in place in one pass; push() would return the same (fast-path.property.spec.ts).
          if (nextNonAscii < p) nextNonAscii = nonAsciiFrom(text, p);
          const r = nextNonAscii >= nl ? parseCommonSecurityLine(text, p) : null;
          if (r !== null) {
            if (this.held !== null) out.push(this.finish(this.held));
            this.stats.lines++;
            this.held = { text: trimEol(text.slice(p, nl)), line, result: r, parts: 1 };
            line++;
            p = nl + 1;
            continue;
          }
        }
      }
      if (nextNonAscii < p) nextNonAscii = nonAsciiFrom(text, p);
      line = this.pushLine(bytes, start, text, p, nl, nextNonAscii >= nl, marked, line, out);
      p = nl + 1;
    }
    return line;
  }

  /** A line push() would count ignored: closes the held entry, if any (only ever for a line with a prefix), and counts it. */
  private ignoreLine(out: ParseOutcome[]): void {
    if (this.held !== null) out.push(this.finish(this.held));
    this.stats.lines++;
    this.stats.ignored++;
  }

  /** Cuts the line `text[p, nl)` of a window out (decoded as UTF-8 if it holds a byte over 0x7F) and pushes it. */
  private pushLine(bytes: Buffer, start: number, text: string, p: number, nl: number, ascii: boolean, marked: boolean, line: number, out: ParseOutcome[]): number {
    const lineText = ascii ? text.slice(p, nl) : bytes.toString('utf8', start + p, start + nl);
    if (lineText.length > this.ctx.maxLineLength) {
      for (const o of this.pushOversized(line)) out.push(o);
    } else {
      this.take(trimEol(lineText), line, marked, out);
    }
    return line + 1;
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

  /** `prefixReady`: this.prefix already holds the prefix of `text`. */
  private start(text: string, lineNumber: number, prefixReady: boolean, marked: boolean, out: ParseOutcome[]): void {
    if (!marked && !mayBeRelevant(text)) {
      this.stats.ignored++;
      return;
    }
    const r = this.parse(text, prefixReady);
    if (r.kind === 'ignored') this.stats.ignored++;
    else if (r.security) this.held = { text, line: lineNumber, result: r, parts: 1 };
    else out.push(this.count(r, lineNumber));
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
