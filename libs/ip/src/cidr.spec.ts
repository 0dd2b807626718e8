import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIp } from './address';
import { cidrContainsIp, cidrsOverlap, normalizeCidr, parseCidr } from './cidr';
import { CidrSet } from './cidr-set';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4/32', '1.2.3.4'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8::1/128', '2001:db8::1'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeCidr(input)).toBe(expected);
  });

  it.each(['10.1.2.3/8', '1.2.3.4/33', '::1/129', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/8/8', 'x/8', '1.2.3.4/ 8'])('rejects %j', (input) => {
    expect(normalizeCidr(input)).toBeNull();
  });

  it('clears host bits when not strict', () => {
    expect(normalizeCidr('10.1.2.3/8', { strict: false })).toBe('10.0.0.0/8');
  });
});

describe('containment', () => {
  it('answers like a bitwise comparison for random networks and addresses', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, prefix, probe) => {
        const cidr = parseCidr(`${base}/${prefix}`, { strict: false });
        const ip = parseIp(probe);
        if (!cidr || !ip) return false;
        const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
        const expected = prefix === 0 || toInt(base) >>> (32 - prefix) === toInt(probe) >>> (32 - prefix);
        return cidrContainsIp(cidr, ip) === expected;
      }),
    );
  });

  it('never mixes families', () => {
    const v4 = parseCidr('0.0.0.0/0');
    const v6 = parseIp('::1');
    expect(v4 && v6 && cidrContainsIp(v4, v6)).toBe(false);
  });

  it('finds overlapping networks in a set', () => {
    const set = new CidrSet(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(set.has('10.1.2.3')).toBe(true);
    expect(set.has('0.0.0.0/0')).toBe(true);
    expect(set.has('10.0.0.0/7')).toBe(true);
    expect(set.has('11.0.0.1')).toBe(false);
    expect(set.has('2001:db8:1::5')).toBe(true);
    expect(set.has('192.0.2.8')).toBe(false);
    expect(set.has('garbage')).toBe(false);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8')!, parseCidr('11.0.0.0/8')!)).toBe(false);
  });

  it('refuses an invalid entry with a message naming it', () => {
    expect(() => new CidrSet(['10.0.0.0/8', 'nope'])).toThrow('"nope" is not an IP address or CIDR');
  });
});
