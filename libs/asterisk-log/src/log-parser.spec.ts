import { describe, expect, it } from 'vitest';
import { AsteriskLogParser } from './log-parser';

const SEC = (ip: string, account = '1'): string =>
  `[2026-11-29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="InvalidPassword",EventTV="2026-11-29T14:21:18.000+0000",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="${account}",SessionID="s",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/${ip}/5060"`;
const NOTICE = `[2026-11-29 14:21:18] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '198.51.100.9' - Wrong password`;

describe('AsteriskLogParser', () => {
  it('holds a security entry until the next line, emits NOTICE events at once, and accounts for every line', () => {
    const p = new AsteriskLogParser({ now: Date.UTC(2026, 10, 29, 16) });
    expect(p.push(SEC('198.51.100.1'), 1)).toEqual([]);
    const second = p.push(NOTICE, 2);
    expect(second.map((o) => (o.kind === 'event' ? [o.line, o.event.ip] : o.kind))).toEqual([[1, '198.51.100.1'], [2, '198.51.100.9']]);
    expect(p.push('[2026-11-29 14:21:18] VERBOSE[1] pbx.c: hello', 3)).toEqual([]);
    expect(p.push(SEC('198.51.100.2', 'a'), 4)).toEqual([]);
    expect(p.push('b",SessionID="s",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/198.51.100.3/5060"', 5)).toEqual([]);
    const last = p.flush();
    expect(last).toEqual([{ kind: 'rejected', reason: 'malformed', line: 4 }]);
    expect(p.flush()).toEqual([]);
    const { lines, events, ignored, continuations, rejected } = p.stats;
    expect({ lines, events, ignored, continuations, malformed: rejected.malformed }).toEqual({ lines: 5, events: 2, ignored: 1, continuations: 1, malformed: 1 });
  });

  it('accepts bytes, with invalid UTF-8 replaced, and CRLF', () => {
    const p = new AsteriskLogParser();
    const bytes = new Uint8Array([...Buffer.from(SEC('198.51.100.4', 'x\xff')), 13, 10]);
    p.push(bytes, 1);
    const [o] = p.flush();
    expect(o?.kind === 'event' && o.event.ip).toBe('198.51.100.4');
  });

  it('counts a line the reader had to cut as too-long and closes the held entry', () => {
    const p = new AsteriskLogParser();
    p.push(SEC('198.51.100.5'), 1);
    expect(p.pushOversized(2)).toEqual([expect.objectContaining({ kind: 'event', line: 1 }), { kind: 'rejected', reason: 'too-long', line: 2 }]);
    expect(p.stats.rejected['too-long']).toBe(1);
  });

  it('rejects an entry whose continuations exceed the line cap', () => {
    const p = new AsteriskLogParser({ maxLineLength: 400 });
    p.push(SEC('198.51.100.6').slice(0, 250), 1);
    for (let i = 2; i < 6; i++) p.push('x'.repeat(100), i);
    expect(p.flush()).toEqual([{ kind: 'rejected', reason: 'too-long', line: 1 }]);
  });

  it('refuses an unknown time zone at construction, not per line', () => {
    expect(() => new AsteriskLogParser({ timeZone: 'Nowhere/Atlantis' })).toThrow(RangeError);
  });
});
