import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cidrsOverlap, cidrContainsCidr } from '@fleetban/ip';
import { MAX_TIMEOUT_SECONDS, layoutNetworks, prepareBans, renderTimeout, type BanElement } from './ban-element';
import { BanTargetValidator } from './ban-target.validator';

const now = 1_800_000_000_000;
const none = new BanTargetValidator([]);

describe('prepareBans', () => {
  it('puts addresses in hash sets and networks in interval sets, in canonical text', () => {
    const { elements } = prepareBans(
      [
        { ip: '203.0.113.7', until: null },
        { ip: '198.51.100.0/24', until: null },
        { ip: '2001:DB8::1', until: null },
        { ip: '2001:db8:1::/48', until: null },
        { ip: '::ffff:192.0.2.9', until: null },
        { ip: '192.0.2.10/32', until: null },
      ],
      none,
      now,
    );
    expect(elements.map((e) => [e.cidr, e.set])).toEqual([
      ['203.0.113.7', 'banned4'],
      ['198.51.100.0/24', 'banned4net'],
      ['2001:db8::1', 'banned6'],
      ['2001:db8:1::/48', 'banned6net'],
      ['192.0.2.9', 'banned4'],
      ['192.0.2.10', 'banned4'],
    ]);
  });

  it('refuses invalid text, so nothing unchecked reaches an nft script', () => {
    const inputs = ['1.2.3.4 }; flush ruleset', '10.1.2.3/8', '', 'fe80::1%eth0', '1.2.3.4/33', 'example.com'];
    const { elements, refused } = prepareBans(inputs.map((ip) => ({ ip, until: null })), none, now);
    expect(elements).toEqual([]);
    expect(refused.map((r) => [r.ip, r.kind])).toEqual(inputs.map((i) => [i, 'invalid']));
  });

  it('refuses bans that overlap a protected network, either way round', () => {
    const protectedSet = new BanTargetValidator(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
    const { elements, refused } = prepareBans(
      ['10.1.2.3', '192.0.2.0/24', '2001:db8:5::1', '0.0.0.0/0', '192.0.2.2', '2001:db9::1'].map((ip) => ({ ip, until: null })),
      protectedSet,
      now,
    );
    expect(refused.map((r) => [r.ip, r.reason])).toEqual([
      ['10.1.2.3', 'overlaps protected 10.0.0.0/8'],
      ['192.0.2.0/24', 'overlaps protected 192.0.2.1'],
      ['2001:db8:5::1', 'overlaps protected 2001:db8::/32'],
      ['0.0.0.0/0', 'overlaps protected 10.0.0.0/8'],
    ]);
    expect(elements.map((e) => e.cidr)).toEqual(['192.0.2.2', '2001:db9::1']);
  });

  it('skips bans already ended and keeps the later end of duplicates', () => {
    const { elements, expired } = prepareBans(
      [
        { ip: '192.0.2.1', until: now },
        { ip: '192.0.2.2', until: now + 1000 },
        { ip: '192.0.2.2', until: now + 5000 },
        { ip: '192.0.2.2', until: now + 2000 },
        { ip: '192.0.2.3', until: now + 1000 },
        { ip: '192.0.2.3', until: null },
      ],
      none,
      now,
    );
    expect(expired).toBe(1);
    expect(elements.map((e) => [e.cidr, e.expiresAt])).toEqual([
      ['192.0.2.2', now + 5000],
      ['192.0.2.3', null],
    ]);
  });
});

const nets = (...specs: Array<[string, number | null]>): BanElement[] => prepareBans(specs.map(([ip, until]) => ({ ip, until })), none, now).elements;

describe('layoutNetworks', () => {
  it('leaves out networks inside another, and says when to re-assert if the outer ends first', () => {
    const layout = layoutNetworks(nets(['10.1.0.0/16', null], ['10.0.0.0/8', now + 60_000], ['10.2.3.0/24', now + 1000], ['11.0.0.0/8', null]), now);
    expect(layout.kept.map((e) => e.cidr)).toEqual(['10.0.0.0/8', '11.0.0.0/8']);
    expect(layout.shadowed.map((e) => e.cidr)).toEqual(['10.1.0.0/16', '10.2.3.0/24']);
    expect(layout.reassertAt).toBe(now + 60_000);
  });

  it('needs no re-assertion when the outer network outlives what it covers', () => {
    const layout = layoutNetworks(nets(['10.0.0.0/8', null], ['10.1.0.0/16', now + 1000]), now);
    expect(layout.reassertAt).toBeNull();
  });

  it('drops ended networks, so what they shadowed comes back', () => {
    const layout = layoutNetworks(nets(['10.0.0.0/8', now + 1000], ['10.1.0.0/16', null]), now + 1000);
    expect(layout.kept.map((e) => e.cidr)).toEqual(['10.1.0.0/16']);
  });

  it('keeps IPv4 and IPv6 apart', () => {
    const layout = layoutNetworks(nets(['::/96', null], ['0.0.0.0/1', null], ['2001:db8::/32', null]), now);
    expect(layout.kept).toHaveLength(3);
  });

  it('keeps no two overlapping networks and covers every live one', () => {
    const arbNet = fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 8, max: 30 }), fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }));
    fc.assert(
      fc.property(fc.array(arbNet, { maxLength: 40 }), (specs) => {
        const input = specs.map(([n, prefix, end]): [string, number | null] => {
          const value = (n << 8) >>> 0;
          const masked = prefix === 0 ? 0 : (value & (~0 << (32 - prefix))) >>> 0;
          return [`${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${prefix}`, end === null ? null : now + end * 1000];
        });
        const { kept, shadowed } = layoutNetworks(nets(...input), now);
        for (let i = 0; i < kept.length; i++) {
          for (let j = i + 1; j < kept.length; j++) expect(cidrsOverlap(kept[i]!.parsed, kept[j]!.parsed)).toBe(false);
        }
        for (const s of shadowed) expect(kept.some((k) => cidrContainsCidr(k.parsed, s.parsed))).toBe(true);
        for (const e of [...kept, ...shadowed]) expect(e.expiresAt === null || e.expiresAt > now).toBe(true);
      }),
    );
  });
});

describe('renderTimeout', () => {
  it.each([
    [1, '1s'],
    [999, '1s'],
    [1000, '1s'],
    [1001, '2s'],
    [3_542_000, '59m2s'],
    [3_600_000, '1h'],
    [90_061_000, '1d1h1m1s'],
    [400 * 86_400_000, '400d'],
  ])('%i ms -> %s', (left, text) => {
    expect(renderTimeout(now + left, now)).toBe(text);
  });

  it(`caps at ${MAX_TIMEOUT_SECONDS / 86_400} days`, () => {
    expect(renderTimeout(now + 20 * 365 * 86_400_000, now)).toBe('3650d');
  });
});

describe('BanTargetValidator', () => {
  it('answers the same for a text seen before, and refuses a protected one each time', () => {
    const validator = new BanTargetValidator(['192.0.2.0/24']);
    const first = validator.check('203.0.113.5');
    expect(validator.check('203.0.113.5')).toBe(first);
    expect(first).toMatchObject({ cidr: '203.0.113.5', set: 'banned4' });
    expect(validator.check('192.0.2.9')).toMatchObject({ ip: '192.0.2.9', kind: 'protected' });
    expect(validator.check('192.0.2.9')).toMatchObject({ kind: 'protected' });
    expect(validator.check('2001:DB8::0:1')).toMatchObject({ cidr: '2001:db8::1', set: 'banned6' });
  });

  it('throws on an invalid protected entry, naming it', () => {
    expect(() => new BanTargetValidator(['10.0.0.0/8', 'lan'])).toThrow(/"lan"/);
  });
});
