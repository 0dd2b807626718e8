import { AsteriskLogParser, type SecurityEvent } from '@fleetban/asterisk-log';
import type { FollowedLine } from '../follower/followed-file';

/**
 * One Asterisk log parser per followed file (a parser joins the physical lines of one entry, so it must not
 * see two files interleaved), with counters summed for status.
 */
export class FleetLineParser {
  private readonly parsers = new Map<string, AsteriskLogParser>();
  private lineNumber = 0;

  constructor(
    private readonly timeZone: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The events a line completes. */
  parse(line: FollowedLine): SecurityEvent[] {
    const parser = this.parserFor(line.position.path);
    this.lineNumber++;
    const outcomes = line.truncated ? parser.pushOversized(this.lineNumber) : parser.push(line.text, this.lineNumber);
    return outcomes.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  }

  /**
   * The end of what was read for now: Asterisk writes a whole entry (continuation lines included) at once, so an
   * entry still held can be completed. Keeps no parser state across chunks, hence across restarts.
   */
  endOfChunk(): SecurityEvent[] {
    const now = this.clock();
    const events: SecurityEvent[] = [];
    for (const parser of this.parsers.values()) {
      parser.setNow(now);
      for (const o of parser.flush()) if (o.kind === 'event') events.push(o.event);
    }
    return events;
  }

  stats(): { events: number; ignored: number; rejected: Record<string, number> } {
    const total = { events: 0, ignored: 0, rejected: {} as Record<string, number> };
    for (const parser of this.parsers.values()) {
      total.events += parser.stats.events;
      total.ignored += parser.stats.ignored;
      for (const [reason, n] of Object.entries(parser.stats.rejected)) total.rejected[reason] = (total.rejected[reason] ?? 0) + n;
    }
    return total;
  }

  private parserFor(path: string): AsteriskLogParser {
    let parser = this.parsers.get(path);
    if (!parser) {
      parser = new AsteriskLogParser({ timeZone: this.timeZone, now: this.clock() });
      this.parsers.set(path, parser);
    }
    return parser;
  }
}
