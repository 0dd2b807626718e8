import type { ApiToken } from '../api/api-types';
import { UsageError, type CliCommand } from '../cli/cli-command';
import { positionals, segment, stringFlag } from '../cli/command-args';
import { printable, tableOrEmpty } from '../format/table.formatter';
import { formatRelative, formatTime } from '../format/time.formatter';

const ROLES = ['admin', 'viewer'];

export const tokensCommand: CliCommand = {
  name: 'tokens',
  summary: 'list API tokens (names and roles; the tokens themselves are never shown again)',
  args: '',
  details: 'Needs an admin token.',
  options: {},
  plan(input) {
    positionals(input, []);
    return {
      requests: [{ method: 'GET', path: '/tokens', list: { paginated: false } }],
      render: ([tokens], { now }) =>
        tableOrEmpty(
          ['name', 'role', 'created', 'last used', 'state'],
          (tokens as ApiToken[]).map((t) => [t.name, t.role, formatTime(t.createdAt, now), t.lastUsedAt ? formatRelative(t.lastUsedAt, now) : 'never', t.revoked ? 'revoked' : 'active']),
          'No API tokens.',
        ),
    };
  },
};

export const tokenAddCommand: CliCommand = {
  name: 'token add',
  summary: 'create an API token: admin (everything) or viewer (read only); prints it once',
  args: 'NAME --role admin|viewer',
  options: { role: { type: 'string' } },
  plan(input) {
    const [name] = positionals(input, ['NAME']) as [string];
    const role = stringFlag(input, 'role');
    if (role === undefined || !ROLES.includes(role)) throw new UsageError(role === undefined ? 'missing --role admin|viewer' : `--role must be admin or viewer, got '${role}'`);
    return {
      requests: [{ method: 'POST', path: '/tokens', body: { name, role } }],
      render: ([answer]) => {
        const t = answer as { name: string; role: string; token: string };
        return `API token ${printable(t.name)} (${t.role}) created. The token, shown only this once:\n  ${printable(t.token)}\nUse it with --token or FLEETBAN_TOKEN.\n`;
      },
      hints: { 409: "That name is taken: 'fleetban tokens' lists the tokens." },
    };
  },
};

export const tokenRevokeCommand: CliCommand = {
  name: 'token revoke',
  summary: 'revoke an API token; it stops working at once',
  args: 'NAME',
  options: {},
  plan(input) {
    const [name] = positionals(input, ['NAME']) as [string];
    return {
      requests: [{ method: 'DELETE', path: `/tokens/${segment(name)}` }],
      render: () => `API token ${printable(name)} revoked.\n`,
      hints: { 404: "No such token: 'fleetban tokens' lists them." },
    };
  },
};
