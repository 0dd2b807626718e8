import { describe, expect, it } from 'vitest';
import type { ApiRequest, CliCommand, CommandInput } from '../cli/cli-command';
import { UsageError } from '../cli/cli-command';
import { COMMANDS } from '../cli/commands';

const NOW = Date.parse('2026-11-29T15:00:00Z');
const command = (name: string): CliCommand => {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(name);
  return found;
};
const input = (positionals: string[], values: CommandInput['values'] = {}): CommandInput => ({ positionals, values, now: NOW });
const requests = (name: string, positionals: string[], values: CommandInput['values'] = {}): ApiRequest[] => command(name).plan(input(positionals, values)).requests;

describe('command plans', () => {
  it('ban: duration in seconds or permanent, with reason, jail and agent', () => {
    expect(requests('ban', ['192.0.2.1'], { for: '2d', reason: 'scanner' })).toEqual([
      { method: 'POST', path: '/bans', body: { ip: '192.0.2.1', duration: 172_800, reason: 'scanner', jail: undefined, agent: undefined } },
    ]);
    expect(requests('ban', ['2001:db8::/64'], { for: 'permanent', agent: 'pbx-01' })[0]?.body).toMatchObject({ ip: '2001:db8::/64', permanent: true, agent: 'pbx-01' });
    expect(requests('ban', ['192.0.2.1'])[0]?.body).toEqual({ ip: '192.0.2.1', reason: undefined, jail: undefined, agent: undefined });
  });

  it('ban: a bad duration or a missing address is a usage error', () => {
    expect(() => requests('ban', ['192.0.2.1'], { for: 'soon' })).toThrow(UsageError);
    expect(() => requests('ban', ['192.0.2.1'], { for: '0s' })).toThrow(/longer than 0s/);
    expect(() => requests('ban', [])).toThrow('missing IP|CIDR');
    expect(() => requests('ban', ['192.0.2.1', '192.0.2.2'])).toThrow("unexpected argument '192.0.2.2'");
  });

  it('bans: state from --all/--lifted, filters, paginated up to --limit', () => {
    expect(requests('bans', [], { jail: 'asterisk', ip: '192.0.2.0/24', limit: '20' })).toEqual([
      { method: 'GET', path: '/bans', query: { state: 'active', jail: 'asterisk', agent: undefined, ip: '192.0.2.0/24' }, list: { paginated: true, limit: 20 } },
    ]);
    expect(requests('bans', [], { all: true })[0]?.query?.state).toBe('all');
    expect(requests('bans', [], { lifted: true })[0]?.query?.state).toBe('lifted');
    expect(() => requests('bans', [], { all: true, lifted: true })).toThrow(UsageError);
    expect(() => requests('bans', [], { limit: '0' })).toThrow(/--limit/);
    expect(() => requests('bans', [], { limit: '5x' })).toThrow(/--limit/);
  });

  it('unban lifts through POST /bans/lift', () => {
    expect(requests('unban', ['192.0.2.1'], { reason: 'customer' })).toEqual([{ method: 'POST', path: '/bans/lift', body: { ip: '192.0.2.1', reason: 'customer' } }]);
  });

  it('events: --since becomes from=, computed from now', () => {
    expect(requests('events', [], { ip: '192.0.2.1', since: '1h' })[0]).toEqual({
      method: 'GET',
      path: '/events',
      query: { ip: '192.0.2.1', agent: undefined, type: undefined, from: '2026-11-29T14:00:00.000Z' },
      list: { paginated: true, limit: 100 },
    });
    expect(requests('events top', [], { since: '1d' }).map((r) => [r.path, r.query])).toEqual([
      ['/events/top-attackers', { since: '86400', limit: '10' }],
      ['/events/top-accounts', { since: '86400', limit: '10' }],
    ]);
  });

  it('encodes names and addresses placed in paths', () => {
    expect(requests('explain', ['2001:db8::1'])[0]?.path).toBe('/explain/2001%3Adb8%3A%3A1');
    expect(requests('agent revoke', ['pbx/../x'])[0]).toEqual({ method: 'DELETE', path: '/agents/pbx%2F..%2Fx' });
    expect(requests('jails', ['asterisk'])[0]?.path).toBe('/jails/asterisk');
    expect(requests('jails', [])[0]).toEqual({ method: 'GET', path: '/jails', list: { paginated: false } });
  });

  it('jail set PATCHes the parsed settings', () => {
    expect(requests('jail set', ['asterisk', 'maxretry=5', 'ignoreip=10.0.0.0/8,192.0.2.1'])).toEqual([
      { method: 'PATCH', path: '/jails/asterisk', body: { maxretry: 5, ignoreip: ['10.0.0.0/8', '192.0.2.1'] } },
    ]);
    expect(() => requests('jail set', [])).toThrow(/missing NAME/);
    expect(() => requests('jail set', ['asterisk'])).toThrow(/missing key=value/);
  });

  it('token add needs a role of admin or viewer', () => {
    expect(requests('token add', ['ci'], { role: 'viewer' })[0]).toEqual({ method: 'POST', path: '/tokens', body: { name: 'ci', role: 'viewer' } });
    expect(() => requests('token add', ['ci'])).toThrow('missing --role admin|viewer');
    expect(() => requests('token add', ['ci'], { role: 'root' })).toThrow(/admin or viewer/);
  });

  it('allow add, rm and ls', () => {
    expect(requests('allow add', ['10.0.0.0/8'], { note: 'office' })[0]).toEqual({ method: 'POST', path: '/allowlist', body: { cidr: '10.0.0.0/8', agent: undefined, note: 'office' } });
    expect(requests('allow rm', ['7'])[0]).toEqual({ method: 'DELETE', path: '/allowlist/7' });
    expect(requests('allow ls', [])[0]).toEqual({ method: 'GET', path: '/allowlist', list: { paginated: false } });
  });

  it('an empty flag value is a usage error, not a silent default', () => {
    expect(() => requests('ban', ['192.0.2.1'], { reason: ' ' })).toThrow('--reason needs a value');
  });
});
