import type { SecurityEventRow, TopAccount, TopAttacker } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { durationFlag, limitFlag, positionals, stringFlag } from '../cli/command-args';
import { count } from '../format/ban.view';
import { tableOrEmpty } from '../format/table.formatter';
import { formatAbsolute, formatRelative, formatSpan } from '../format/time.formatter';

export const DEFAULT_EVENTS_LIMIT = 100;
const DEFAULT_TOP_SINCE_S = 3600;

/** A count or the list it counts (the API may send either for agents and IPs). */
const howMany = (value: number | string[]): number => (Array.isArray(value) ? value.length : value);

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'security events the agents sent, newest first, filtered by address, agent, type and age',
  args: '[--ip IP] [--agent A] [--type T] [--since 1h] [--limit N]',
  details: `--type is an Asterisk SecurityEvent name (InvalidAccountID, ChallengeResponseFailed, InvalidPassword, ...).
--since limits to the last 30m, 1h, 2d... Lists at most --limit events (default ${DEFAULT_EVENTS_LIMIT}).`,
  options: { ip: { type: 'string' }, agent: { type: 'string' }, type: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
  plan(input) {
    positionals(input, []);
    const since = durationFlag(input, 'since');
    const from = since === undefined ? undefined : new Date(input.now - since * 1000).toISOString();
    const query = { ip: stringFlag(input, 'ip'), agent: stringFlag(input, 'agent'), type: stringFlag(input, 'type'), from };
    return {
      requests: [{ method: 'GET', path: '/events', query, list: { paginated: true, limit: limitFlag(input, DEFAULT_EVENTS_LIMIT) } }],
      render: ([events]) =>
        tableOrEmpty(
          ['time', 'agent', 'type', 'ip', 'port', 'transport', 'account'],
          (events as SecurityEventRow[]).map((e) => [formatAbsolute(e.time), e.agent, e.type, e.ip, e.port, e.transport, e.account]),
          'No events match.',
        ),
      hints: { 404: "No such agent: 'fleetban agents' lists them." },
    };
  },
};

export const eventsTopCommand: CliCommand = {
  name: 'events top',
  summary: 'the top attacking addresses and the most targeted accounts over a period',
  args: '[--since 1h] [--limit N]',
  details: 'Default: the last hour, 10 of each (at most 100).',
  options: { since: { type: 'string' }, limit: { type: 'string' } },
  plan(input) {
    positionals(input, []);
    const since = durationFlag(input, 'since') ?? DEFAULT_TOP_SINCE_S;
    const query = { since: String(since), limit: String(limitFlag(input, 10, 100)) };
    return {
      requests: [
        { method: 'GET', path: '/events/top-attackers', query, list: { paginated: false } },
        { method: 'GET', path: '/events/top-accounts', query, list: { paginated: false } },
      ],
      render: ([attackers, accounts], { now }) => {
        const period = `last ${formatSpan(since)}`;
        const a = tableOrEmpty(
          ['ip', 'failures', 'agents', 'last seen'],
          (attackers as TopAttacker[]).map((t) => [t.ip, t.failures, howMany(t.agents), formatRelative(t.lastSeen, now)]),
          'No failures.',
        );
        const b = tableOrEmpty(
          ['account', 'failures', 'ips'],
          (accounts as TopAccount[]).map((t) => [t.account, t.failures, howMany(t.ips)]),
          'No accounts targeted.',
        );
        return `Top attackers (${period})\n${a}\nTop targeted accounts (${period}, ${count((accounts as TopAccount[]).length, 'account')})\n${b}`;
      },
      json: ([attackers, accounts]) => ({ attackers, accounts }),
    };
  },
};
