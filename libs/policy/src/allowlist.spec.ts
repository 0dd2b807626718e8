import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeCidr } from '@fleetban/ip';
import { describeAllowlistMatch, findAllowlistMatch } from './allowlist';

const network = fc
  .oneof(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 })), fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 128 })))
  .filter(([ip, a, b]) => normalizeCidr(`${ip}/${a}`, { strict: false }) !== null && normalizeCidr(`${ip}/${b}`, { strict: false }) !== null);

describe('findAllowlistMatch', () => {
  it('a CIDR ban that overlaps an entry (both hold one address) always matches, v4 and v6', () => {
    fc.assert(
      fc.property(network, fc.array(fc.ipV4(), { maxLength: 3 }), ([ip, entryPrefix, banPrefix], others) => {
        const entries = [...others.map((cidr) => ({ cidr })), { cidr: `${ip}/${entryPrefix}`, note: 'trunk' }];
        return findAllowlistMatch(`${ip}/${banPrefix}`, entries, { agentId: null }) !== null;
      }),
      { numRuns: 500 },
    );
  });

  it('a /8 ban touching an allowlisted host matches; a disjoint network does not', () => {
    const entries = [{ cidr: '10.1.2.3', note: 'office' }];
    expect(findAllowlistMatch('10.0.0.0/8', entries, { agentId: null })).toMatchObject({ source: 'global', cidr: '10.1.2.3', note: 'office' });
    expect(findAllowlistMatch('11.0.0.0/8', entries, { agentId: null })).toBeNull();
  });

  it("an agent's entry applies to that agent and to fleet-wide bans, not to other agents", () => {
    const entries = [{ cidr: '198.51.100.0/24', agentId: 'pbx-a' }];
    expect(findAllowlistMatch('198.51.100.9', entries, { agentId: 'pbx-a' })?.source).toBe('agent');
    expect(findAllowlistMatch('198.51.100.9', entries, { agentId: null })?.source).toBe('agent');
    expect(findAllowlistMatch('198.51.100.9', entries, { agentId: 'pbx-b' })).toBeNull();
  });

  it("names the jail's ignoreip and refuses garbage", () => {
    const match = findAllowlistMatch('::1', [], { agentId: null, jail: { name: 'asterisk', ignoreip: ['::1'] } });
    expect(match && describeAllowlistMatch(match)).toBe('jail asterisk ignoreip ::1');
    expect(() => findAllowlistMatch('not-an-ip', [], { agentId: null })).toThrow(/not an IP/);
    expect(() => findAllowlistMatch('1.2.3.4', [{ cidr: 'pbx.example.com' }], { agentId: null })).toThrow(/pbx.example.com/);
  });
});
