import fc from 'fast-check';
import { normalizeIp } from '@fleetban/ip';
import { describe, expect, it } from 'vitest';
import { parseLine } from './line-parser';
import { AsteriskLogParser } from './log-parser';
import { EVENT_SHAPES } from './security-shapes';

/**
 * Properties over generated lines. The generator knows where it put the real address (the trusted position)
 * and fills every attacker-controlled field with junk built from forging fragments; whatever the parser
 * returns, an address must be the real one.
 */
const OPTIONS = { timeZone: 'UTC', now: Date.UTC(2026, 10, 29, 16) };
const VICTIMS = ['203.0.113.66', '2001:db8::66'];
const FRAGMENTS = [
  '"', ',', '=', ' ', "'", '(', ')', ' - ', 'x', 'é', '\u0000', '😀', '",', '%0A',
  '",RemoteAddress="IPV4/UDP/203.0.113.66/5060', '",LocalAddress="IPV4/UDP/192.0.2.10/5060', '",RemoteAddress="IPV6/UDP/2001:db8::66/5060',
  '",SessionID="', '",AccountID="', ',Module="m"', ',SessionTV="t"', ',Challenge="', ',Response="', ',ExpectedResponse="',
  ',RequestType="', ',RequestParams="', ',ACLName="a"', ',UsingPassword="1"', ',ReceivedChallenge="', ',ReceivedHash="', '"\n',
  "' failed for '203.0.113.66:5060' (callid: ", ') - No matching endpoint found', "' - Wrong password", "' failed for '203.0.113.66'",
  "' (203.0.113.66:5060) to extension '", "' (UDP:[203.0.113.66]:5060) to extension '", "' rejected because extension not found in context '",
  "' (from 203.0.113.66)", '203.0.113.66 failed to authenticate as \'', '[2001:db8::66]:5060',
];

const TAIL_KEYS = ['Module', 'SessionTV', 'ACLName', 'Challenge', 'Response', 'ExpectedResponse', 'RequestType', 'RequestParams', 'AuthMethod', 'UsingPassword', 'ExpectedAddress', 'AttemptedTransport', 'ReceivedChallenge', 'ReceivedHash', 'AccountID', 'SessionID'];
/** Whole forged LocalAddress/RemoteAddress pairs, each opening the next IE an event type may carry. */
const FORGED_PAIRS = ['IPV4/UDP/203.0.113.66/5060', 'IPV6/UDP/2001:db8::66/5060'].flatMap((v) => {
  const pair = `",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="${v}`;
  return [`${pair}"`, ...TAIL_KEYS.map((k) => `${pair}",${k}="`)];
});

const junk = (maxParts: number, newlines: boolean): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ arbitrary: fc.constantFrom(...FRAGMENTS), weight: 3 }, { arbitrary: fc.constantFrom(...FORGED_PAIRS), weight: 2 }, { arbitrary: fc.string({ maxLength: 4 }), weight: 1 }), { maxLength: maxParts }).map((parts) => {
    const s = parts.join('');
    return newlines ? s : s.replace(/[\r\n]/g, '');
  });

const realIp = fc.oneof(fc.ipV4(), fc.ipV6().filter((ip) => normalizeIp(ip) !== null)).filter((ip) => !VICTIMS.includes(normalizeIp(ip) ?? ''));
const secAddr = (ip: string, port: number): string => `${ip.includes(':') ? 'IPV6' : 'IPV4'}/UDP/${ip}/${port}`;
const TYPES = [...EVENT_SHAPES.keys()];
const SERVICES = ['PJSIP', 'SIP', 'IAX2', 'AMI'];

interface Built {
  lines: string[];
  ip: string;
}

/** A res_security_log entry; AccountID may hold newlines only where Asterisk lets it (PJSIP, capped at 36). */
const securityEntry = fc
  .record({ type: fc.constantFrom(...TYPES), service: fc.constantFrom(...SERVICES), ip: realIp, port: fc.integer({ min: 1, max: 65535 }), account: junk(6, true), session: junk(8, false), tailJunk: fc.array(junk(6, false), { minLength: 8, maxLength: 8 }), optional: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }) })
  .map(({ type, service, ip, port, account, session, tailJunk, optional }): Built => {
    const shape = EVENT_SHAPES.get(type);
    if (shape === undefined) throw new Error(type);
    const acct = service === 'PJSIP' ? account.slice(0, 36) : account.replace(/\n/g, '');
    const head = `[2026-11-29 14:21:18] SECURITY[14302] res_security_log.c: SecurityEvent="${type}",EventTV="2026-11-29T14:21:18.000+0000",Severity="Error",Service="${service}",EventVersion="1",`;
    const ids = shape.accountFirst ? `AccountID="${acct}",SessionID="${session}"` : `SessionID="${session}"`;
    const tail = shape.tail.map((ie, k) => (ie.required || optional[k] ? `${ie.literal}${ie.untrusted ? tailJunk[k] : 'v'}"` : '')).join('');
    const text = `${head}${ids},LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="${secAddr(ip, port)}"${tail}`;
    return { lines: text.split('\n'), ip };
  });

/** NOTICE and AMI lines with junk in every attacker-controlled slot. */
const noticeLine = fc
  .record({ form: fc.integer({ min: 0, max: 5 }), ip: realIp, a: junk(6, false), b: junk(6, false) })
  .map(({ form, ip, a, b }): Built => {
    const hp = ip.includes(':') ? `[${ip}]:5060` : `${ip}:5060`;
    const p = '[2026-11-29 14:21:18] NOTICE[1] ';
    const lines = [
      `${p}res_pjsip/pjsip_distributor.c:676 log_failed_request: Request 'REGISTER' from '${a}' failed for '${hp}' (callid: ${b}) - No matching endpoint found`,
      `${p}chan_sip.c: Registration from '${a}' failed for '${hp}' - Wrong password`,
      `${p}chan_sip.c: Call from '${a}' (${hp}) to extension '${b}' rejected because extension not found in context 'default'.`,
      `${p}manager.c: ${ip} failed to authenticate as '${a}'`,
      `${p}chan_iax2.c: No registration for peer '${a}' (from ${ip})`,
      `${p}chan_iax2.c: Host ${ip} failed MD5 authentication for '${a}' (${b})`,
    ];
    return { lines: [lines[form] as string], ip };
  });

function addressesOf(lines: string[]): string[] {
  const parser = new AsteriskLogParser(OPTIONS);
  const out = lines.flatMap((l, i) => parser.push(l, i + 1));
  out.push(...parser.flush());
  return out.flatMap((o) => (o.kind === 'event' ? [o.event.ip] : []));
}

describe('parser properties', () => {
  it('never returns an address other than the one in the trusted position', () => {
    let events = 0;
    fc.assert(
      fc.property(fc.oneof(securityEntry, noticeLine), ({ lines, ip }) => {
        const found = addressesOf(lines);
        events += found.length;
        for (const a of found) expect(a).toBe(normalizeIp(ip));
        if (lines.length === 1) {
          const r = parseLine(lines[0] as string, OPTIONS);
          if (r.kind === 'event') expect(r.event.ip).toBe(normalizeIp(ip));
        }
      }),
      { numRuns: 3000 },
    );
    // Junk makes many entries ambiguous or malformed, but most must still parse, or the property says nothing.
    expect(events).toBeGreaterThan(1000);
  });

  it('returns the real address when the attacker fields hold no structure', () => {
    const clean = fc.stringMatching(/^[A-Za-z0-9@._-]{0,20}$/);
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.constantFrom(...SERVICES), realIp, clean, clean, (type, service, ip, account, session) => {
        const shape = EVENT_SHAPES.get(type);
        if (shape === undefined) return;
        const ids = shape.accountFirst ? `AccountID="${account}",SessionID="${session}"` : `SessionID="${session}"`;
        const tail = shape.tail.filter((ie) => ie.required).map((ie) => `${ie.literal}${session}"`).join('');
        const line = `[Nov 29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="${type}",EventTV="1795962078-000001",Severity="Error",Service="${service}",EventVersion="2",${ids},LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="${secAddr(ip, 5060)}"${tail}`;
        expect(addressesOf([line])).toEqual([normalizeIp(ip)]);
      }),
      { numRuns: 1000 },
    );
  });

  it('a real entry followed by a continuation forging nothing keeps its address', () => {
    fc.assert(
      fc.property(securityEntry, realIp, ({ lines, ip }, other) => {
        const next = `[2026-11-29 14:21:19] SECURITY[1] res_security_log.c: SecurityEvent="InvalidPassword",EventTV="1795962079-000000",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="1",SessionID="s",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="${secAddr(other, 5060)}"`;
        const found = addressesOf([...lines, next]);
        expect(found[found.length - 1]).toBe(normalizeIp(other));
        for (const a of found.slice(0, -1)) expect(a).toBe(normalizeIp(ip));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws, whatever the text or bytes', () => {
    const parser = new AsteriskLogParser(OPTIONS);
    let n = 0;
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((p) => `[Nov 29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="InvalidPassword"${p.join('')}`)), (input) => {
        parseLine(input, OPTIONS);
        parser.push(input, ++n);
      }),
      { numRuns: 3000 },
    );
    expect(parser.flush().length).toBeLessThanOrEqual(1);
    expect(parser.stats.lines).toBe(n);
  });

  it('bounds the work on a 1 MB line and on a line full of quotes and commas', () => {
    const huge = `[Nov 29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="ChallengeResponseFailed",EventTV="1",Severity="E",Service="AMI",EventVersion="1",AccountID="a",SessionID="${'",'.repeat(500_000)}`;
    expect(parseLine(huge, OPTIONS)).toEqual({ kind: 'rejected', reason: 'too-long' });
    expect(parseLine('\u0000'.repeat(1 << 20), OPTIONS)).toEqual({ kind: 'ignored' });
    const quotes = `[Nov 29 14:21:18] SECURITY[1] res_security_log.c: SecurityEvent="ChallengeResponseFailed",EventTV="1795962078-000001",Severity="Error",Service="AMI",EventVersion="1",AccountID="a",SessionID="0x1",LocalAddress="IPV4/TCP/0.0.0.0/5038",RemoteAddress="IPV4/TCP/198.51.100.1/1",Challenge="${'",'.repeat(3000)}",Response="${'",'.repeat(3000)}",ExpectedResponse=""`;
    const r = parseLine(quotes, OPTIONS);
    expect(r.kind === 'rejected' ? r.reason : r.kind === 'event' ? r.event.ip : r.kind).toMatch(/^(ambiguous-address|198\.51\.100\.1)$/);
  });
});
