import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeIp, parseIp, formatIp } from './address';

describe('normalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8::10', '2001:db8::10'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::1', '::1'],
    ['::', '::'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:c000:0207', '192.0.2.7'],
    ['2001:db8::192.0.2.1', '2001:db8::c000:201'],
    ['fe80:0:0:0:1:2:3:4', 'fe80::1:2:3:4'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-1', 'a.b.c.d',
    '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', 'fe80::1%eth0', '12345::', 'g::1', '[::1]', '1.2.3.4:5060', '1.2.3.4/32',
  ])('rejects %j', (input) => {
    expect(normalizeIp(input)).toBeNull();
  });

  it('round-trips every IPv4 and IPv6 value', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => normalizeIp(ip) === ip));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const ip = parseIp(formatIp({ version: 6, value }));
        const isMapped = value >> 32n === 0xffffn;
        return ip !== null && (isMapped ? ip.version === 4 && ip.value === value - (0xffffn << 32n) : ip.value === value);
      }),
    );
  });
});
