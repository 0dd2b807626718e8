import { REJECT_REASONS, SECURITY_EVENT_TYPES, type ParserStats, type SecurityEvent, type SecurityEventType } from '@fleetban/asterisk-log';

const TOP_IPS = 10;

/** Counts what `fleetban-agent parse` reports: events per type, failures, addresses. */
export class ParseReport {
  /** Counters held in objects, so that an event costs one lookup per map and no second one to store the count. */
  private readonly types = new Map<SecurityEventType, { n: number }>();
  /** Failures per address, 0 for an address seen only in informational events. */
  private readonly perIp = new Map<string, { failures: number }>();
  failures = 0;
  bytes = 0;

  add(event: SecurityEvent): void {
    const type = this.types.get(event.type);
    if (type === undefined) this.types.set(event.type, { n: 1 });
    else type.n++;
    let ip = this.perIp.get(event.ip);
    if (ip === undefined) this.perIp.set(event.ip, (ip = { failures: 0 }));
    if (!event.failure) return;
    this.failures++;
    ip.failures++;
  }

  get byType(): Map<SecurityEventType, number> {
    return new Map([...this.types].map(([t, c]) => [t, c.n]));
  }

  get uniqueIps(): number {
    return this.perIp.size;
  }

  topIps(): Array<[string, number]> {
    const withFailures: Array<[string, number]> = [];
    for (const [ip, c] of this.perIp) if (c.failures > 0) withFailures.push([ip, c.failures]);
    return withFailures.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_IPS);
  }

  /** The machine-readable summary (stderr with --json). */
  toJson(stats: ParserStats, seconds: number): string {
    return JSON.stringify({
      lines: stats.lines,
      events: stats.events,
      failures: this.failures,
      byType: Object.fromEntries(this.byType),
      uniqueIps: this.uniqueIps,
      topIps: this.topIps().map(([ip, failures]) => ({ ip, failures })),
      ignored: stats.ignored,
      continuations: stats.continuations,
      rejected: stats.rejected,
      seconds: round(seconds, 3),
      linesPerSecond: Math.round(stats.lines / Math.max(seconds, 1e-9)),
      megabytesPerSecond: round(this.bytes / 1e6 / Math.max(seconds, 1e-9), 1),
    });
  }

  /** The summary a person reads. Addresses only: account names and Call-IDs are attacker text, kept out of terminals. */
  toText(source: string, timeZone: string, stats: ParserStats, seconds: number): string {
    const n = (v: number): string => v.toLocaleString('en-US');
    const rows: string[] = [`fleetban-agent parse: ${source} (PBX time zone ${timeZone})`, ''];
    const row = (label: string, value: string, indent = 0): number => rows.push(`${' '.repeat(indent)}${label.padEnd(28 - indent)}${value}`);
    row('lines read', n(stats.lines));
    row('events', `${n(stats.events)} (${n(this.failures)} failures)`);
    const byType = this.byType;
    for (const type of SECURITY_EVENT_TYPES) if (byType.has(type)) row(type, n(byType.get(type) ?? 0), 2);
    row('unique IPs', n(this.uniqueIps));
    const top = this.topIps();
    if (top.length > 0) {
      rows.push('top IPs by failures');
      for (const [ip, count] of top) row(ip, n(count), 2);
    }
    const rejected = REJECT_REASONS.reduce((sum, r) => sum + stats.rejected[r], 0);
    row('lines rejected', n(rejected));
    for (const reason of REJECT_REASONS) if (stats.rejected[reason] > 0) row(reason, n(stats.rejected[reason]), 2);
    row('lines ignored', n(stats.ignored));
    if (stats.continuations > 0) row('continuation lines', n(stats.continuations));
    row('time', `${round(seconds, 3)} s (${n(Math.round(stats.lines / Math.max(seconds, 1e-9)))} lines/s, ${round(this.bytes / 1e6 / Math.max(seconds, 1e-9), 1)} MB/s)`);
    return `${rows.join('\n')}\n`;
  }
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
