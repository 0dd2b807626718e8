import type { AllowlistEntry, Explanation, JailDecision } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { positionals, segment } from '../cli/command-args';
import { allowlistScope } from '../format/allowlist.view';
import { banTable } from '../format/ban.view';
import { cell, formatFields, formatTable, printable } from '../format/table.formatter';
import { formatTime } from '../format/time.formatter';

/** "pbx-01 30, pbx-02 12", largest first. */
const tally = (counts: Record<string, number> | undefined): string =>
  Object.entries(counts ?? {})
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${printable(key)} ${n}`)
    .join(', ');

function allowlistLine(entries: AllowlistEntry[]): string {
  if (entries.length === 0) return 'none';
  return entries.map((e) => `${printable(e.cidr)} (${allowlistScope(e)}, entry ${e.id}${e.note ? `: ${printable(e.note)}` : ''})`).join('; ');
}

function decisionText(d: JailDecision, now: number): string {
  if (!d.ban) return `no ban${d.code ? ` (${d.code})` : ''}`;
  const scope = d.scope ? ` ${d.scope}` : '';
  return `ban${scope}${d.until !== undefined ? ` until ${d.until === null ? 'permanent' : formatTime(d.until, now)}` : ''}`;
}

/** Everything the server knows about one address, in the order an operator asks: allowed? attacking? banned? */
export function renderExplanation(x: Explanation, now: number): string {
  const f = x.failures;
  const fields = formatFields([
    ['Address', x.ip],
    ['Allowlisted', allowlistLine(x.allowlist)],
    ['Failures', f.total === 0 ? '0' : `${f.total}, first ${formatTime(f.firstSeen, now)}, last ${formatTime(f.lastSeen, now)}`],
    ['  by agent', tally(f.byAgent)],
    ['  by type', tally(f.byType)],
  ]);
  const rows = x.jails.flatMap((j) => (j.decisions ?? (j.decision ? [j.decision] : [])).map((d) => [j.name, decisionText(d, now), d.reason]));
  const jails = rows.length === 0 ? 'No jails.\n' : formatTable(['jail', 'decision', 'reason'], rows);
  return `${fields}\nJails\n${jails}\nBans\n${banTable(x.bans, now, 'None, past or present.')}`;
}

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'everything known about an address: allowlist, failures by agent and type, jail decisions, bans',
  args: 'IP',
  options: {},
  plan(input) {
    const [ip] = positionals(input, ['IP']) as [string];
    return {
      requests: [{ method: 'GET', path: `/explain/${segment(ip)}` }],
      render: ([answer], { now }) => renderExplanation(answer as Explanation, now),
      hints: { 404: `fleetban has no event, ban or allowlist entry for ${cell(ip)}.` },
    };
  },
};
