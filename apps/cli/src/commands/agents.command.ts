import type { Agent } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { positionals, segment } from '../cli/command-args';
import { printable, tableOrEmpty } from '../format/table.formatter';
import { formatRelative } from '../format/time.formatter';

const state = (a: Agent): string => (a.revoked ? 'revoked' : a.connected ? 'connected' : 'offline');

/** "12/12", or "9/12 behind" when the agent has not applied every ban change yet. */
function sequence(a: Agent): string {
  if (a.appliedSeq === undefined || a.appliedSeq === null) return '-';
  const behind = a.currentSeq !== undefined && a.currentSeq !== null && Number(a.appliedSeq) < Number(a.currentSeq);
  return `${a.appliedSeq}/${a.currentSeq ?? '?'}${behind ? ' behind' : ''}`;
}

export const agentsCommand: CliCommand = {
  name: 'agents',
  summary: 'list agents with their health: connection, last seen, version, spool backlog, bans applied',
  args: '',
  details: 'SEQ is the last ban change the agent applied / the latest one; "behind" while it catches up.',
  options: {},
  plan(input) {
    positionals(input, []);
    return {
      requests: [{ method: 'GET', path: '/agents', list: { paginated: false } }],
      render: ([agents], { now }) =>
        tableOrEmpty(
          ['name', 'state', 'hostname', 'version', 'last seen', 'backlog', 'seq', 'files'],
          (agents as Agent[]).map((a) => [a.name, state(a), a.hostname, a.version, a.lastSeenAt ? formatRelative(a.lastSeenAt, now) : 'never', a.spoolBacklog, sequence(a), (a.files ?? []).join(', ')]),
          'No agents yet: fleetban agent add NAME',
        ),
    };
  },
};

export const agentAddCommand: CliCommand = {
  name: 'agent add',
  summary: 'create an agent; prints its one-time token and the command that enrolls it',
  args: 'NAME',
  details: 'The token is shown only this once: run the enroll command on the PBX (it stores the token there).',
  options: {},
  plan(input) {
    const [name] = positionals(input, ['NAME']) as [string];
    return {
      requests: [{ method: 'POST', path: '/agents', body: { name } }],
      render: ([answer]) => {
        const a = answer as { name: string; token: string; enrollCommand: string };
        return [
          `Agent ${printable(a.name)} created. Its token, shown only this once:`,
          `  ${printable(a.token)}`,
          'Enroll the PBX by running there:',
          `  ${printable(a.enrollCommand)}`,
          '',
        ].join('\n');
      },
      hints: { 409: `An agent named ${printable(name)} exists: 'fleetban agents' lists them; revoke it first to re-create it.` },
    };
  },
};

export const agentRevokeCommand: CliCommand = {
  name: 'agent revoke',
  summary: "revoke an agent's token; its connection closes within a second",
  args: 'NAME',
  options: {},
  plan(input) {
    const [name] = positionals(input, ['NAME']) as [string];
    return {
      requests: [{ method: 'DELETE', path: `/agents/${segment(name)}` }],
      render: () => `Agent ${printable(name)} revoked: its token no longer works and its connection closes within a second.\n`,
      hints: { 404: "No such agent: 'fleetban agents' lists them." },
    };
  },
};
