import type { Ban } from '../api/api-types';
import { UsageError, type CliCommand, type CommandInput } from '../cli/cli-command';
import { booleanFlag, durationFlag, limitFlag, positionals, stringFlag } from '../cli/command-args';
import { banScope, banTable, banUntil, count } from '../format/ban.view';
import { printable } from '../format/table.formatter';

/** Bans listed when --limit is not given: every active ban of a sizeable fleet, without paging through years of history. */
export const DEFAULT_BANS_LIMIT = 1000;

const stateOf = (input: CommandInput): 'active' | 'lifted' | 'all' => {
  const all = booleanFlag(input, 'all');
  const lifted = booleanFlag(input, 'lifted');
  if (all && lifted) throw new UsageError('--all and --lifted exclude each other (--all includes lifted bans)');
  return all ? 'all' : lifted ? 'lifted' : 'active';
};

export const bansCommand: CliCommand = {
  name: 'bans',
  summary: 'list bans (active by default) with their jail, scope, end and reason',
  args: '[--all|--lifted] [--jail J] [--agent A] [--ip IP|CIDR] [--limit N]',
  details: `--ip shows the bans overlapping an address or CIDR. --all adds lifted and expired bans, --lifted shows only those.
Lists at most --limit bans (default ${DEFAULT_BANS_LIMIT}), fetching as many pages as needed.`,
  options: { all: { type: 'boolean' }, lifted: { type: 'boolean' }, jail: { type: 'string' }, agent: { type: 'string' }, ip: { type: 'string' }, limit: { type: 'string' } },
  plan(input) {
    positionals(input, []);
    const state = stateOf(input);
    const query = { state, jail: stringFlag(input, 'jail'), agent: stringFlag(input, 'agent'), ip: stringFlag(input, 'ip') };
    return {
      requests: [{ method: 'GET', path: '/bans', query, list: { paginated: true, limit: limitFlag(input, DEFAULT_BANS_LIMIT) } }],
      render: ([bans], { now }) => {
        const list = bans as Ban[];
        const table = banTable(list, now, state === 'active' ? 'No active bans.' : 'No bans.');
        return list.length === 0 ? table : `${table}\n${count(list.length, state === 'active' ? 'active ban' : 'ban')}\n`;
      },
      hints: { 404: "No such jail or agent: 'fleetban jails' and 'fleetban agents' list them." },
    };
  },
};

/** `--for`: a duration in seconds, or permanent. */
function banLength(input: CommandInput): { duration?: number; permanent?: true } {
  const text = stringFlag(input, 'for');
  if (text === undefined) return {};
  if (['permanent', 'perm', 'forever', '-1'].includes(text.trim().toLowerCase())) return { permanent: true };
  return { duration: durationFlag(input, 'for') };
}

export const banCommand: CliCommand = {
  name: 'ban',
  summary: 'ban an address or CIDR by hand, fleet-wide or on one agent',
  args: 'IP|CIDR [--for 1h|2d|permanent] [--reason TEXT] [--jail J] [--agent A]',
  details: `--for takes seconds or 30s, 10m, 1h, 2d, 1w, or permanent (default 1h). --agent bans on that agent's host only.
Allowlisted addresses are never banned: the server refuses (exit code 1) and says which entry covers it.`,
  options: { for: { type: 'string' }, reason: { type: 'string' }, jail: { type: 'string' }, agent: { type: 'string' } },
  plan(input) {
    const [ip] = positionals(input, ['IP|CIDR']) as [string];
    const body = { ip, ...banLength(input), reason: stringFlag(input, 'reason'), jail: stringFlag(input, 'jail'), agent: stringFlag(input, 'agent') };
    return {
      requests: [{ method: 'POST', path: '/bans', body }],
      render: ([ban], { now }) => {
        const b = ban as Ban;
        const until = b.expiresAt === null ? 'permanently' : `until ${banUntil(b, now)}`;
        return `Banned ${printable(b.ip)} (${banScope(b)}${b.jail ? `, jail ${printable(b.jail)}` : ''}) ${until}; ban id ${b.id}.\n`;
      },
      hints: {
        allowlisted: `fleetban never bans allowlisted addresses. 'fleetban explain ${ip}' shows the entry; remove it with 'fleetban allow rm ID' first if you really mean to ban.`,
        already_banned: `'fleetban bans --ip ${ip}' shows the ban in force; 'fleetban unban ${ip}' lifts it.`,
        404: "No such jail or agent: 'fleetban jails' and 'fleetban agents' list them.",
      },
    };
  },
};

export const unbanCommand: CliCommand = {
  name: 'unban',
  summary: 'lift every active ban overlapping an address or CIDR',
  args: 'IP|CIDR [--reason TEXT]',
  details: 'Agents remove the lifted bans from nftables within a second.',
  options: { reason: { type: 'string' } },
  plan(input) {
    const [ip] = positionals(input, ['IP|CIDR']) as [string];
    return {
      requests: [{ method: 'POST', path: '/bans/lift', body: { ip, reason: stringFlag(input, 'reason') } }],
      render: ([answer], { now }) => {
        const lifted = (answer as { lifted: Ban[] }).lifted;
        return `Lifted ${count(lifted.length, 'ban')} overlapping ${printable(ip)}:\n${banTable(lifted, now, '')}`;
      },
      json: ([answer]) => answer,
      hints: { not_banned: `No active ban overlaps ${ip}; 'fleetban bans --all --ip ${ip}' shows its past bans.` },
    };
  },
};
