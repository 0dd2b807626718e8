import type { JailStatus, Status } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { positionals } from '../cli/command-args';
import { cell, formatTable, printable, tableOrEmpty } from '../format/table.formatter';

/** fail2ban-client's tree for one jail, tab-separated as it prints it, so that scripts written for it keep working. */
export function jailTree(jail: JailStatus, status: Status): string {
  const files = status.agents.flatMap((a) => (a.files ?? []).map((f) => `${a.name}:${f}`));
  return [
    `Status for the jail: ${printable(jail.name)}${jail.enabled ? '' : ' (disabled)'}`,
    '|- Filter',
    `|  |- Currently failed:\t${jail.currentlyFailed}`,
    `|  |- Total failed:\t${jail.totalFailed}`,
    `|  \`- File list:\t${files.map(printable).join(' ')}`,
    '`- Actions',
    `   |- Currently banned:\t${jail.currentlyBanned}`,
    `   |- Total banned:\t${jail.totalBanned}`,
    `   \`- Banned IP list:\t${jail.bannedIps.map(printable).join(' ')}`,
    '',
  ].join('\n');
}

function overview(status: Status): string {
  return [
    'Status',
    `|- Number of jail:\t${status.jails.length}`,
    `\`- Jail list:\t${status.jails.map((j) => printable(j.name)).join(', ')}`,
    '',
    formatTable(
      ['jail', 'enabled', 'currently failed', 'total failed', 'currently banned', 'total banned'],
      status.jails.map((j) => [j.name, j.enabled ? 'yes' : 'no', j.currentlyFailed, j.totalFailed, j.currentlyBanned, j.totalBanned]),
    ),
  ].join('\n');
}

function agentsAndBreaker(status: Status): string {
  const agents = tableOrEmpty(
    ['agent', 'connected', 'files'],
    status.agents.map((a) => [a.name, a.connected ? 'yes' : 'no', (a.files ?? []).join(', ')]),
    'No agents enrolled yet: fleetban agent add NAME',
  );
  const { breaker } = status;
  const state = breaker.paused ? `OPEN: automatic bans paused${breaker.reason ? ` (${cell(breaker.reason)})` : ''}; manual bans still work` : 'closed: automatic bans on';
  return `\nAgents\n${agents}\nCircuit breaker: ${state}\n`;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: "the fleet's jails with fail2ban's figures, agents and their files, circuit breaker",
  args: '[JAIL]',
  details: `Without JAIL: every jail's currently/total failed and banned, the agents and the circuit breaker.
With JAIL: fail2ban-client's 'status JAIL' tree (tab-separated), including the banned IP list.`,
  options: {},
  plan(input) {
    const [jail] = positionals(input, [], ['JAIL']);
    return {
      requests: [{ method: 'GET', path: '/status', query: { jail } }],
      render: ([answer]) => {
        const status = answer as Status;
        const body = jail === undefined ? overview(status) : status.jails.map((j) => jailTree(j, status)).join('\n');
        return body + agentsAndBreaker(status);
      },
      hints: { 404: `No jail named '${printable(jail ?? '')}': 'fleetban jails' lists them.` },
    };
  },
};
