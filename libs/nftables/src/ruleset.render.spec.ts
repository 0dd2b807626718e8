import { describe, expect, it } from 'vitest';
import { prepareBans, type Ban } from './ban-element';
import { BanTargetValidator } from './ban-target.validator';
import { resolveEnforcerConfig } from './enforcer.config';
import { ELEMENTS_PER_STATEMENT, renderDelta, renderEnsure, renderRemove, renderSnapshot } from './ruleset.render';
import type { TableShape } from './table-shape';

const now = 1_800_000_000_000;
const elements = (bans: Ban[]) => prepareBans(bans, new BanTargetValidator([]), now).elements;
const lines = (script: string) => script.trim().split('\n');

function shapeOf(hook: string, prio: number, banned4Flags = ['timeout']): TableShape {
  return {
    sets: new Map([
      ['banned4', { type: 'ipv4_addr', flags: banned4Flags }],
      ['banned4net', { type: 'ipv4_addr', flags: ['timeout', 'interval'] }],
      ['banned6', { type: 'ipv6_addr', flags: ['timeout'] }],
      ['banned6net', { type: 'ipv6_addr', flags: ['interval', 'timeout'] }],
    ]),
    chains: new Map([[hook, { hook, prio }]]),
    counters: new Set(['dropped']),
  };
}

describe('renderEnsure', () => {
  it('creates the table, four sets, the counter and a prerouting chain at raw priority that drops', () => {
    const plan = renderEnsure(resolveEnforcerConfig({ table: 'fb1' }), null);
    expect(lines(plan.script)).toEqual([
      'add table inet fb1',
      'add counter inet fb1 dropped',
      'add set inet fb1 banned4 { type ipv4_addr; flags timeout; }',
      'add set inet fb1 banned4net { type ipv4_addr; flags interval, timeout; }',
      'add set inet fb1 banned6 { type ipv6_addr; flags timeout; }',
      'add set inet fb1 banned6net { type ipv6_addr; flags interval, timeout; }',
      'add chain inet fb1 prerouting { type filter hook prerouting priority -300; policy accept; }',
      'add rule inet fb1 prerouting iif "lo" accept',
      'add rule inet fb1 prerouting ip saddr @banned4 counter name "dropped" drop',
      'add rule inet fb1 prerouting ip saddr @banned4net counter name "dropped" drop',
      'add rule inet fb1 prerouting ip6 saddr @banned6 counter name "dropped" drop',
      'add rule inet fb1 prerouting ip6 saddr @banned6net counter name "dropped" drop',
    ]);
    expect(plan.recreatedSets).toEqual([]);
  });

  it('rejects with a TCP reset or ICMP admin-prohibited, on the configured ports only', () => {
    const config = resolveEnforcerConfig({ table: 'fb1', action: 'reject', hook: 'input', ports: { tcp: [5060, 5061, 8088, 8089], udp: [5060] } });
    const rules = lines(renderEnsure(config, null).script).filter((l) => l.startsWith('add rule') && l.includes('@banned6 '));
    expect(rules).toEqual([
      'add rule inet fb1 input ip6 saddr @banned6 tcp dport { 5060, 5061, 8088, 8089 } counter name "dropped" reject with tcp reset',
      'add rule inet fb1 input ip6 saddr @banned6 udp dport { 5060 } counter name "dropped" reject with icmpx admin-prohibited',
    ]);
    expect(renderEnsure(config, null).script).toContain('add chain inet fb1 input { type filter hook input priority -10; policy accept; }');
  });

  it('rejects TCP with a reset and everything else with ICMP when banning on every port', () => {
    const rules = lines(renderEnsure(resolveEnforcerConfig({ action: 'reject' }), null).script).filter((l) => l.includes('@banned4 '));
    expect(rules).toEqual([
      'add rule inet fleetban prerouting ip saddr @banned4 meta l4proto tcp counter name "dropped" reject with tcp reset',
      'add rule inet fleetban prerouting ip saddr @banned4 counter name "dropped" reject with icmpx admin-prohibited',
    ]);
  });

  it('on an up-to-date table replaces the rules and leaves the sets (and their elements) alone', () => {
    const plan = renderEnsure(resolveEnforcerConfig({ table: 'fb1' }), shapeOf('prerouting', -300));
    expect(plan.script).toContain('flush chain inet fb1 prerouting\n');
    expect(plan.script).not.toMatch(/delete|flush set/);
    expect(plan.recreatedSets).toEqual([]);
  });

  it('moves the chain when the hook changes', () => {
    const plan = renderEnsure(resolveEnforcerConfig({ table: 'fb1', hook: 'input' }), shapeOf('prerouting', -300));
    expect(lines(plan.script).slice(2, 4)).toEqual(['flush chain inet fb1 prerouting', 'delete chain inet fb1 prerouting']);
    expect(plan.script).toContain('add chain inet fb1 input');
  });

  it('re-creates a set whose definition changed, after the rules that use it are gone, and says so', () => {
    const plan = renderEnsure(resolveEnforcerConfig({ table: 'fb1' }), shapeOf('prerouting', -300, ['interval', 'timeout']));
    const script = lines(plan.script);
    expect(script.indexOf('delete set inet fb1 banned4')).toBeGreaterThan(script.indexOf('flush chain inet fb1 prerouting'));
    expect(script.indexOf('delete set inet fb1 banned4')).toBeLessThan(script.indexOf('add set inet fb1 banned4 { type ipv4_addr; flags timeout; }'));
    expect(plan.recreatedSets).toEqual(['banned4']);
  });
});

describe('renderSnapshot', () => {
  it('flushes the four sets and adds every element with its time left, in one script', () => {
    const script = renderSnapshot(
      'fb1',
      elements([
        { ip: '192.0.2.1', until: now + 3_542_000 },
        { ip: '198.51.100.0/24', until: null },
        { ip: '2001:db8::1', until: now + 10_000 },
      ]),
      now,
    );
    expect(lines(script)).toEqual([
      'flush set inet fb1 banned4',
      'flush set inet fb1 banned4net',
      'flush set inet fb1 banned6',
      'flush set inet fb1 banned6net',
      'add element inet fb1 banned4 { 192.0.2.1 timeout 59m2s }',
      'add element inet fb1 banned4net { 198.51.100.0/24 }',
      'add element inet fb1 banned6 { 2001:db8::1 timeout 10s }',
    ]);
  });

  it('splits huge lists into several statements of the same batch', () => {
    const bans = Array.from({ length: ELEMENTS_PER_STATEMENT * 2 + 1 }, (_, i) => ({ ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, until: null }));
    const adds = lines(renderSnapshot('fb1', elements(bans), now)).filter((l) => l.startsWith('add element'));
    expect(adds).toHaveLength(3);
    expect(adds.map((l) => l.split(', ').length)).toEqual([ELEMENTS_PER_STATEMENT, ELEMENTS_PER_STATEMENT, 1]);
  });
});

describe('renderDelta', () => {
  it('primes, deletes then re-adds addresses, so a missing one is no error and a present one gets its new timeout', () => {
    const remove = elements([{ ip: '192.0.2.9', until: null }]);
    const add = elements([{ ip: '192.0.2.1', until: now + 60_000 }]);
    expect(lines(renderDelta('fb1', remove, add, now))).toEqual([
      'add element inet fb1 banned4 { 192.0.2.9, 192.0.2.1 }',
      'delete element inet fb1 banned4 { 192.0.2.9, 192.0.2.1 }',
      'add element inet fb1 banned4 { 192.0.2.1 timeout 1m }',
    ]);
  });

  it('deletes networks without priming, since a primed network would overlap one added after it', () => {
    const remove = elements([{ ip: '10.0.0.0/8', until: null }]);
    const add = elements([{ ip: '10.1.0.0/16', until: null }]);
    expect(lines(renderDelta('fb1', remove, add, now))).toEqual(['delete element inet fb1 banned4net { 10.0.0.0/8 }', 'add element inet fb1 banned4net { 10.1.0.0/16 }']);
  });

  it('renders nothing for an empty delta', () => {
    expect(renderDelta('fb1', [], [], now)).toBe('');
  });
});

describe('renderRemove', () => {
  it('succeeds whether or not the table exists', () => {
    expect(renderRemove('fb1')).toBe('add table inet fb1\ndelete table inet fb1\n');
  });
});
