import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { banDuration } from './ban-duration';
import { parseIni, resolveValue } from './fail2ban-ini.parser';
import { importFail2ban, type Unmapped } from './fail2ban.import';

const read = (name: string) => readFileSync(join(__dirname, '..', 'testdata', 'fail2ban', name), 'utf8');
const find = (unmapped: Unmapped[], section: string, key: string) => unmapped.filter((u) => u.section === section && u.key === key);

describe('parseIni', () => {
  it('reads sections, continuation lines, both comment styles and both delimiters', () => {
    const doc = parseIni('[DEFAULT]\nignoreip = 1.2.3.4 ; inline\n   5.6.7.8   # also inline\n\n   9.9.9.9\n# comment\nKey: value\n[jail]\nx=1\n');
    expect(doc.sections.get('DEFAULT')?.values.get('ignoreip')).toBe('1.2.3.4\n5.6.7.8\n9.9.9.9');
    expect(doc.sections.get('DEFAULT')?.values.get('key')).toBe('value');
    expect(doc.sections.get('jail')?.values.get('x')).toBe('1');
    expect(doc.problems).toEqual([]);
  });

  it('interpolates %(var)s from the section, then [DEFAULT], with __name__ and %%', () => {
    const doc = parseIni('[DEFAULT]\nport = 0:65535\na = %(__name__)s:%(port)s 100%%\n[asterisk]\nport = 5060\nb = %(a)s\nc = %(nope)s\n');
    expect(resolveValue(doc, 'asterisk', 'b')).toBe('asterisk:5060 100%');
    expect(() => resolveValue(doc, 'asterisk', 'c')).toThrow(/%\(nope\)s is not defined/);
    const loop = parseIni('[j]\na = %(b)s\nb = %(a)s\n');
    expect(() => resolveValue(loop, 'j', 'a')).toThrow(/deeper/);
  });
});

describe('importFail2ban: a jail.local with DEFAULT, sshd, asterisk and an aggressive jail', () => {
  const result = importFail2ban(read('jail.local'));

  it('maps the Asterisk jails only', () => {
    expect(result.jails.map((jail) => jail.name)).toEqual(['asterisk', 'asterisk-aggressive']);
    expect(find(result.unmapped, 'sshd', 'filter')).toEqual([expect.objectContaining({ value: 'sshd', why: expect.stringMatching(/not an Asterisk jail/) })]);
    expect(find(result.unmapped, 'recidive', 'filter')).toHaveLength(1);
  });

  it('maps [asterisk]: its values, its ports, DROP from blocktype', () => {
    expect(result.jails[0]).toMatchObject({
      name: 'asterisk',
      enabled: true,
      maxretry: 3,
      findtime: 600,
      bantime: 3600,
      scope: 'fleet',
      action: 'drop',
      ports: [{ from: 5060, to: 5060 }, { from: 5061, to: 5061 }],
      ignoreip: [],
      increment: { enabled: false },
    });
    expect(find(result.unmapped, 'asterisk', 'logpath')).toEqual([expect.objectContaining({ why: expect.stringMatching(/agents follow/) })]);
  });

  it('maps [asterisk-aggressive]: suffixed durations, bantime.increment, its own ignoreip; rndtime reported', () => {
    const jail = result.jails[1];
    expect(jail).toMatchObject({
      enabled: false,
      maxretry: 2,
      findtime: 300,
      bantime: 86_400,
      increment: { enabled: true, factor: 1, maxtime: 604_800, formula: 'fail2ban' },
      ports: 'all',
      ignoreip: ['127.0.0.0/8'],
    });
    expect(jail && [0, 1, 2, 3, 4].map((level) => banDuration(jail, level))).toEqual([1, 2, 4, 7, 7].map((d) => d * 86_400));
    expect(find(result.unmapped, 'asterisk-aggressive', 'bantime.rndtime')).toEqual([expect.objectContaining({ value: '10m', why: expect.stringMatching(/deterministic/) })]);
    expect(find(result.unmapped, 'asterisk-aggressive', 'ignoreip')).toEqual([expect.objectContaining({ value: '45.12.x.y', why: 'not an IP address or CIDR' })]);
    // Its action came from [DEFAULT] (iptables-multiport, REJECT by default in fail2ban): reported, drop used.
    expect(find(result.unmapped, 'asterisk-aggressive', 'action')[0]?.why).toMatch(/"drop" used/);
  });

  it('turns the multi-line [DEFAULT] ignoreip into the global allowlist and reports the host name', () => {
    expect(result.allowlist.map((entry) => entry.cidr)).toEqual(['127.0.0.0/8', '::1', '10.0.0.0/8', '192.168.0.0/16', '203.0.113.10', '198.51.100.0/28', '2001:db8:5060::/48']);
    expect(result.allowlist[0]?.note).toBe('fail2ban [DEFAULT] ignoreip');
    expect(find(result.unmapped, 'DEFAULT', 'ignoreip')).toEqual([{ section: 'DEFAULT', key: 'ignoreip', value: 'sip.trunk-provider.example', why: expect.stringMatching(/host name/) }]);
  });

  it('reports the options it cannot use, with a reason each', () => {
    for (const [section, key] of [['INCLUDES', 'before'], ['DEFAULT', 'backend'], ['DEFAULT', 'usedns'], ['DEFAULT', 'destemail'], ['DEFAULT', 'action_mwl']]) {
      expect(find(result.unmapped, section as string, key as string), `${section}.${key}`).toHaveLength(1);
    }
    expect(result.unmapped.every((u) => u.why.length > 10)).toBe(true);
  });
});

describe("importFail2ban: the seed guide's jail.d file", () => {
  const result = importFail2ban(read('seed-guide.conf'));
  const byName = new Map(result.jails.map((jail) => [jail.name, jail]));

  it('maps [asterisk] with its filter options, port ranges and fail2ban factor 2 (1d, 4d, 7d)', () => {
    const jail = byName.get('asterisk');
    expect(jail).toMatchObject({ maxretry: 2, findtime: 300, bantime: 86_400, ports: [{ from: 5060, to: 5060 }, { from: 5061, to: 5061 }, { from: 10_000, to: 20_000 }] });
    expect(jail && [0, 1, 2, 3].map((level) => banDuration(jail, level))).toEqual([1, 4, 7, 7].map((d) => d * 86_400));
    expect(find(result.unmapped, 'asterisk', 'protocol')[0]?.why).toMatch(/TCP and UDP/);
    expect(find(result.unmapped, 'DEFAULT', 'bantime.overalljails')).toEqual([]); // false: what fleetban does
  });

  it('maps a permanent REJECT jail', () => {
    expect(byName.get('freepbx-permanent')).toMatchObject({ enabled: true, bantime: 'permanent', action: 'reject', findtime: 3600, increment: { enabled: false } });
  });

  it('does not import jails with invalid values, and says which and why', () => {
    expect(byName.has('pjsip-typo')).toBe(false);
    expect(find(result.unmapped, 'pjsip-typo', 'findtime')[0]).toMatchObject({ value: '10x', why: expect.stringMatching(/unknown duration unit/) });
    expect(find(result.unmapped, 'pjsip-typo', 'maxretry')[0]).toMatchObject({ value: 'three' });
    expect(find(result.unmapped, 'pjsip-typo', '*')[0]?.why).toMatch(/not imported/);
    expect(byName.has('sip-formula')).toBe(false);
    expect(find(result.unmapped, 'sip-formula', 'bantime.formula')[0]?.why).toMatch(/documented formulas/);
  });

  it('reports unreadable lines with their number', () => {
    expect(result.unmapped).toContainEqual({ section: 'line 39', key: '', value: 'this line has no delimiter', why: expect.stringMatching(/not a "key = value"/) });
  });
});
