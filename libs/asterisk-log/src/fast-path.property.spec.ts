import fc from 'fast-check';
import { normalizeIp } from '@fleetban/ip';
import { describe, expect, it } from 'vitest';
import { readCommonSecurityEntry } from './common-security-entry';
import { AsteriskLogParser } from './log-parser';
import { monthAt, parseEventTv } from './log-time';
import { newPrefix, parseAnyPrefix, parsePrefix } from './line-prefix';
import type { ParseOutcome } from './parse-outcome';
import { canonicalIpAt, hostPortAt, securityAddressAt } from './remote-address';
import { parseSecurityEntry } from './security-log';
import { EVENT_SHAPES } from './security-shapes';
import { TRANSPORTS } from './security-event';

/**
 * The hot paths against the careful ones: the one-pass reader of common security entries against the structural
 * reader, the block feed against the line feed, and the in-place readers against the slicing code they replaced.
 */
const OPTIONS = { timeZone: 'UTC', now: Date.UTC(2026, 10, 29, 16) };
const MARKER_AT = '[2026-11-29 14:21:18] SECURITY[14302] res_security_log.c: '.length;
const TYPES = [...EVENT_SHAPES.keys()];
const SERVICES = ['PJSIP', 'SIP', 'IAX2', 'AMI', 'pjsip', 'XMPP'];
const MUTATIONS = ['"', ',', '\n', '",', '"x', ',Module="m"', ',LocalAddress="IPV4/UDP/192.0.2.10/5060"', '",RemoteAddress="IPV4/UDP/203.0.113.66/5060', '/', 'IPV6', ':', ' ', 'é'];
const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9@.:_<> -]{0,40}$/), fc.constantFrom('', '<unknown>', 'x'.repeat(37), 'sip:1000@192.0.2.10'));
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('01.2.3.4', '1.2.3.256', '::ffff:198.51.100.1', 'x'));
const transport = fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'WSS', 'udp', '', 'ſ', 'SCTP');

/** `line` with `text` put at a place from `from` on, over `cut` characters, when there is a mutation. */
function mutated(line: string, mutation: { at: number; text: string; cut: number } | null, from: number): string {
  if (mutation === null) return line;
  const at = from + (mutation.at % (line.length - from + 1));
  return line.slice(0, at) + mutation.text + line.slice(at + mutation.cut);
}

/** A res_security_log line of any type, with random optional IEs, then maybe mutated at a random place. */
const securityLine = fc
  .record({
    type: fc.constantFrom(...TYPES),
    service: fc.constantFrom(...SERVICES),
    tv: fc.constantFrom('2026-11-29T14:21:18.123+0100', '1795962078-000001', '2026-11-29T14:21:18Z', 'junk'),
    account: value,
    session: value,
    ip: address,
    transport,
    port: fc.integer({ min: 0, max: 70000 }),
    optional: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    tail: fc.array(value, { minLength: 8, maxLength: 8 }),
    mutation: fc.option(fc.record({ at: fc.nat(), text: fc.constantFrom(...MUTATIONS), cut: fc.nat({ max: 3 }) }), { freq: 2 }),
  })
  .map((r) => {
    const shape = EVENT_SHAPES.get(r.type);
    if (shape === undefined) throw new Error(r.type);
    const ids = shape.accountFirst ? `AccountID="${r.account}",SessionID="${r.session}"` : `SessionID="${r.session}"`;
    const tail = shape.tail.map((ie, k) => (ie.required || r.optional[k] ? `${ie.literal}${r.tail[k]}"` : '')).join('');
    const fam = r.ip.includes(':') ? 'IPV6' : 'IPV4';
    const line = `[2026-11-29 14:21:18] SECURITY[14302] res_security_log.c: SecurityEvent="${r.type}",EventTV="${r.tv}",Severity="Error",Service="${r.service}",EventVersion="1",${ids},LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="${fam}/${r.transport}/${r.ip}/${r.port}"${tail}`;
    return mutated(line, r.mutation, MARKER_AT);
  });

describe('the common security entry reader', () => {
  it('returns exactly what the careful reader returns, whenever it answers', () => {
    let answered = 0;
    fc.assert(
      fc.property(securityLine, (line) => {
        const fast = readCommonSecurityEntry(line, MARKER_AT);
        if (fast === null) return;
        answered++;
        expect(fast).toEqual(parseSecurityEntry(line, MARKER_AT));
      }),
      { numRuns: 5000 },
    );
    // Unmutated lines with an everyday transport (5 of the 9 drawn) are common ones: the property must have compared many.
    expect(answered).toBeGreaterThan(800);
  });

  it('leaves hostile entries to the careful reader', () => {
    const forged = `SecurityEvent="InvalidAccountID",EventTV="1",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="100",SessionID="x",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/203.0.113.66/5060",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/198.51.100.1/5060"`;
    expect(readCommonSecurityEntry(forged, 0)).toBeNull();
    expect(readCommonSecurityEntry(forged.replace('AccountID="100"', 'AccountID="1\n00"'), 0)).toBeNull();
    expect(readCommonSecurityEntry(forged.replace('AccountID="100"', `AccountID="${'1'.repeat(37)}"`), 0)).toBeNull();
  });
});

/** Mostly well-formed values, sometimes broken ones. */
const mostly = (good: string[], bad: string[]): fc.Arbitrary<string> => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });

/** Asterisk prefixes, well formed and not, then maybe mutated at a random place. */
const prefixLine = fc
  .record({
    date: fc.oneof(
      fc.tuple(mostly(['Nov', 'Dec', 'Jan'], ['nov', 'Foo']), mostly(['29', ' 5'], ['05', '5 ', '] ']), mostly(['14:21:18'], ['4:21:18', '14:21:1x'])).map(([m, d, t]) => `[${m} ${d} ${t}] `),
      fc.tuple(mostly(['2026-11-29'], ['2026-1-29', '20261129']), mostly(['', '.1', '.123', '.123456'], ['.1234567', '.']), mostly(['] '], [']', ']] '])).map(([d, ms, close]) => `[${d} 14:21:18${ms}${close}`),
    ),
    level: mostly(['SECURITY', 'NOTICE', 'VERBOSE', 'A'], ['ABCDEFGHIJKLM', 'notice', '']),
    tid: mostly(['[14302]', '[1]'], ['[12345678901]', '[]', ' [14302]', '[x]', '']),
    callId: mostly(['', '[C-0000001a]'], ['[C-00000000000000001]', '[C-xyz]', '[C-]', '[D-1]']),
    colon: fc.constantFrom('', ':'),
    location: mostly(['res_security_log.c: ', 'chan_sip.c:28926 handle_request_register: ', 'res_security_log.c:114 in security_event_stasis_cb: ', 'res/x.c:1 fn: '], ['x.c in y.c: ', 'a.c:12.c: ', 'pbx.c', 'c: ']),
    message: fc.constantFrom('SecurityEvent="InvalidAccountID"', "Registration from '<sip:1@x>' failed", ''),
    mutation: fc.option(fc.record({ at: fc.nat(), text: fc.constantFrom('', ' ', '[', ']', ':', '] ', 'x', '1'), cut: fc.nat({ max: 2 }) }), { freq: 2 }),
  })
  .map((r) => mutated(`${r.date}${r.level}${r.tid}${r.callId}${r.colon} ${r.location}${r.message}`, r.mutation, 0));

describe('the prefix reader', () => {
  it('reads Asterisk\'s own prefix in one pass exactly as the step-by-step reader does', () => {
    let fast = 0;
    fc.assert(
      fc.property(prefixLine, (line) => {
        const got = newPrefix();
        const expected = newPrefix();
        parsePrefix(line, got);
        parseAnyPrefix(line, expected);
        expect(got).toEqual(expected);
        if (got.messageStart >= 0 && line.startsWith('[')) fast++;
      }),
      { numRuns: 5000 },
    );
    expect(fast).toBeGreaterThan(500);
  });
});

/** Lines of every kind a block can hold, including ones that continue or close a held entry, and overlong ones. */
const PREFIXES = ['[Nov 29 14:21:18] SECURITY[14302] res_security_log.c: ', '[Dec  5 09:01:02] SECURITY[1][C-0000001a]: res_security_log.c:114 in security_event_stasis_cb: ', '[2026-11-29 14:21:18.123] SECURITY[2] res_security_log.c: ', 'Nov 29 14:21:18 pbx asterisk[2350]: SECURITY[14302]: res_security_log.c:114 in security_event_stasis_cb: ', '[Nov 29 14:21:18] NOTICE[1] res_security_log.c: ', '[Nov 29 14:21:18] SECURITY[1] res_security_log.c:'];
const anyLine = fc.oneof(
  securityLine,
  fc.tuple(securityLine, fc.constantFrom(...PREFIXES)).map(([line, prefix]) => prefix + line.slice(MARKER_AT)),
  prefixLine,
  fc.constantFrom(
    "[2026-11-29 14:21:18] NOTICE[1638] chan_sip.c: Registration from '<sip:301@example.com>' failed for '198.51.100.43:5060' - Wrong password",
    "[2026-11-29 14:21:18] NOTICE[19388] res_pjsip/pjsip_distributor.c:676 log_failed_request: Request 'REGISTER' from '<sip:1@x>' failed for '198.51.100.9:5060' (callid: c) - No matching endpoint found",
    "[2026-11-29 14:21:18] NOTICE[3477][C-3f3020b6] chan_sip.c: Call from '' (198.51.100.87:5143) to extension '0111' rejected because extension not found in context 'default'.",
    '[Nov 29 14:21:18] NOTICE[1638] res_pjsip/pjsip_options.c:300 qualify_contact_cb: Contact 100/sip:100@192.0.2.20:5060 is now Unreachable.',
    '[2026-11-29 14:21:18] VERBOSE[2011] asterisk.c:   == Using SIP RTP CoS mark 5',
    '[2026-11-29 14:21:18] NOTICE[1638] res_pjsip/pjsip_options.c:300 qualify_contact_cb: Contact 100/sip:100@192.0.2.20:5060 is now Reachable.',
    'b",SessionID="s",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/198.51.100.3/5060"',
    'Asterisk 22.10.1 built by root @ pbx on a x86_64 running Linux on 2026-11-01 10:00:00 UTC',
    '',
    '\r',
    `[2026-11-29 14:21:18] VERBOSE[2] pbx.c: ${'x'.repeat(300)}`,
    `[2026-11-29 14:21:18] NOTICE[2] manager.c: 198.51.100.5 failed to authenticate as '${'y'.repeat(300)}'`,
    // Not ASCII: more bytes than characters, some over the cap in bytes only.
    "[2026-11-29 14:21:18] NOTICE[2] manager.c: 198.51.100.6 failed to authenticate as 'é😀'",
    `[2026-11-29 14:21:18] NOTICE[2] manager.c: 198.51.100.7 failed to authenticate as '${'é'.repeat(150)}'`,
    `[2026-11-29 14:21:18] VERBOSE[2] pbx.c: ${'é'.repeat(200)}`,
    `[2026-11-29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="InvalidAccountID",EventTV="2026-11-29T14:21:18.000+0000",Severity="Error",Service="SIP",EventVersion="1",AccountID="ü",SessionID="s",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/198.51.100.8/5060"`,
  ),
);

const simplify = (outcomes: ParseOutcome[]): unknown => JSON.parse(JSON.stringify(outcomes));

describe('AsteriskLogParser.pushBytes', () => {
  it('gives the outcomes and stats of push line by line, with overlong lines taken as pushOversized', () => {
    fc.assert(
      // A cap under the length of most security lines (the overlong path), or the default (the fast paths).
      fc.property(fc.array(anyLine, { maxLength: 40 }), fc.integer({ min: 0, max: 10 }), fc.boolean(), fc.constantFrom(250, 16_384), (lines, offset, lastNewline, maxLineLength) => {
        const options = { ...OPTIONS, maxLineLength };
        const byLine = new AsteriskLogParser(options);
        const byBlock = new AsteriskLogParser(options);
        const text = lines.map((l) => l.replace(/\n/g, ' ')).join('\n');
        const block = `${'#'.repeat(offset)}${text}${lastNewline && lines.length > 0 ? '\n' : ''}`;
        // The block's physical lines: separated by newlines, a last one without newline included.
        const body = block.slice(offset);
        const physical = body === '' ? [] : body.split('\n');
        if (body.endsWith('\n')) physical.pop();
        const expected = physical.flatMap((l, i) => (l.length > options.maxLineLength ? byLine.pushOversized(i + 7) : byLine.push(l, i + 7)));
        const bytes = Buffer.from(block, 'utf8');
        const got = byBlock.pushBytes(bytes, offset, bytes.length, 7);
        expect(simplify(got)).toEqual(simplify(expected));
        expect(simplify(byBlock.flush())).toEqual(simplify(byLine.flush()));
        expect(byBlock.stats).toEqual(byLine.stats);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes invalid UTF-8 as push does (U+FFFD), whatever the block holds', () => {
    const byteLine = fc.oneof(anyLine.map((l) => Buffer.from(l.replace(/\n/g, ' '))), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.map((x) => (x === 10 ? 0xff : x)))));
    fc.assert(
      fc.property(fc.array(byteLine, { maxLength: 30 }), (lines) => {
        const options = { ...OPTIONS, maxLineLength: 250 };
        const byLine = new AsteriskLogParser(options);
        const byBlock = new AsteriskLogParser(options);
        const decoder = new TextDecoder();
        const expected = lines.flatMap((l, i) => (decoder.decode(l).length > options.maxLineLength ? byLine.pushOversized(i + 1) : byLine.push(l, i + 1)));
        const block = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        expect(simplify(byBlock.pushBytes(block, 0, block.length, 1))).toEqual(simplify(expected));
        expect(byBlock.stats).toEqual(byLine.stats);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('in-place readers', () => {
  const ipText = fc.oneof(fc.ipV4(), fc.ipV6(), fc.stringMatching(/^[0-9a-fA-F.:]{0,20}$/), fc.ipV4().map((ip) => ip.replace(/\b(\d)\b/, '0$1')));

  it('canonicalIpAt and hostPortAt agree with normalizeIp on the text alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), ipText, fc.string({ maxLength: 4 }), (before, ip, after) => {
        const text = before + ip + after;
        expect(canonicalIpAt(text, before.length, before.length + ip.length)).toBe(ip.length > 45 ? null : normalizeIp(ip));
        const ep = hostPortAt(`${before}${ip}:5060${after}`, before.length, before.length + ip.length + 5);
        if (!ip.includes(':')) expect(ep?.ip ?? null).toBe(normalizeIp(ip));
      }),
      { numRuns: 3000 },
    );
  });

  it('securityAddressAt reads family, transport (upper-cased as before), address and port', () => {
    fc.assert(
      fc.property(fc.constantFrom('IPV4', 'IPV6', 'IPV5'), transport, ipText, fc.oneof(fc.integer({ min: 0, max: 70000 }).map(String), fc.constantFrom('', 'x', '0050')), (fam, t, ip, port) => {
        const value = `${fam}/${t}/${ip}/${port}`;
        const ep = securityAddressAt(`"${value}"`, 1, value.length + 1);
        const canonical = ip.length > 45 ? null : normalizeIp(ip);
        const portOk = /^\d{1,5}$/.test(port) && Number(port) <= 65535;
        if (fam === 'IPV5' || canonical === null || !portOk) {
          expect(ep).toBeNull();
          return;
        }
        const upper = t.toUpperCase();
        expect(ep).toEqual({ ip: canonical, port: Number(port), transport: (TRANSPORTS as readonly string[]).includes(upper) ? upper : null });
      }),
      { numRuns: 3000 },
    );
  });

  it('monthAt and parseEventTv agree with the slicing and Date code they replaced', () => {
    const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 3 }), fc.constantFrom('Jan', 'Nov', 'Dec', 'nov', 'anF'), (junk, month) => {
        for (const m of [junk, month]) {
          const i = MONTHS.indexOf(m);
          expect(monthAt(`[${m} 29`, 1)).toBe(i >= 0 && i % 3 === 0 ? i / 3 : -1);
        }
      }),
    );
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1971, 0, 1)), max: new Date(Date.UTC(2099, 0, 1)), noInvalidDate: true }), fc.constantFrom('+0100', '-05:30', 'Z', '+0000'), (d, offset) => {
        const iso = d.toISOString().slice(0, 23);
        const text = `EventTV="${iso}${offset}"`;
        expect(parseEventTv(text, 9, text.length - 1)).toBe(Date.parse(`${iso}${offset === 'Z' ? 'Z' : offset.replace(/^([+-]\d\d):?(\d\d)$/, '$1:$2')}`));
        const micro = `${Math.floor(d.getTime() / 1000)}-${String((d.getTime() % 1000) * 1000).padStart(6, '0')}`;
        expect(parseEventTv(micro)).toBe(d.getTime());
      }),
      { numRuns: 2000 },
    );
  });
});
