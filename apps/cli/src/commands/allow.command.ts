import type { AllowlistEntry, Ban } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { positionals, segment, stringFlag } from '../cli/command-args';
import { allowlistScope, describeEntry } from '../format/allowlist.view';
import { count } from '../format/ban.view';
import { printable, tableOrEmpty } from '../format/table.formatter';
import { formatTime } from '../format/time.formatter';

export const allowAddCommand: CliCommand = {
  name: 'allow add',
  summary: 'allowlist an address or CIDR (globally, or on one agent); active bans it covers are lifted',
  args: 'CIDR [--agent A] [--note TEXT]',
  details: 'Allowlisted addresses are never banned, automatically or by hand: put your trunks, phones and admins here.',
  options: { agent: { type: 'string' }, note: { type: 'string' } },
  plan(input) {
    const [cidr] = positionals(input, ['CIDR']) as [string];
    return {
      requests: [{ method: 'POST', path: '/allowlist', body: { cidr, agent: stringFlag(input, 'agent'), note: stringFlag(input, 'note') } }],
      render: ([answer]) => {
        const { entry, lifted } = answer as { entry: AllowlistEntry; lifted: Ban[] };
        const liftedText = lifted.length === 0 ? '' : `Lifted ${count(lifted.length, 'active ban')} it covered: ${lifted.map((b) => printable(b.ip)).join(', ')}\n`;
        return `Allowlisted ${describeEntry(entry)} as entry ${entry.id}.\n${liftedText}`;
      },
      hints: { 404: "No such agent: 'fleetban agents' lists them." },
    };
  },
};

export const allowRmCommand: CliCommand = {
  name: 'allow rm',
  summary: 'remove an allowlist entry by its ID',
  args: 'ID',
  details: "'fleetban allow ls' shows the IDs.",
  options: {},
  plan(input) {
    const [id] = positionals(input, ['ID']) as [string];
    return {
      requests: [{ method: 'DELETE', path: `/allowlist/${segment(id)}` }],
      render: ([entry]) => `Removed allowlist entry ${(entry as AllowlistEntry).id}: ${describeEntry(entry as AllowlistEntry)}.\n`,
      hints: { 404: "No allowlist entry with that ID: 'fleetban allow ls' lists them." },
    };
  },
};

export const allowLsCommand: CliCommand = {
  name: 'allow ls',
  summary: 'list the allowlist',
  args: '',
  options: {},
  plan(input) {
    positionals(input, []);
    return {
      requests: [{ method: 'GET', path: '/allowlist', list: { paginated: false } }],
      render: ([entries], { now }) =>
        tableOrEmpty(
          ['id', 'cidr', 'scope', 'note', 'created', 'by'],
          (entries as AllowlistEntry[]).map((e) => [e.id, e.cidr, allowlistScope(e), e.note, formatTime(e.createdAt, now), e.createdBy]),
          'The allowlist is empty: fleetban allow add CIDR',
        ),
    };
  },
};
