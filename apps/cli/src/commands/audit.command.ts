import type { AuditEntry } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { limitFlag, positionals } from '../cli/command-args';
import { tableOrEmpty } from '../format/table.formatter';
import { formatTime } from '../format/time.formatter';

export const DEFAULT_AUDIT_LIMIT = 50;

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'changes made through the API: who, what, when, from where (newest first)',
  args: '[--limit N]',
  details: `Shows the last --limit entries (default ${DEFAULT_AUDIT_LIMIT}); --json includes each change's details.`,
  options: { limit: { type: 'string' } },
  plan(input) {
    positionals(input, []);
    return {
      requests: [{ method: 'GET', path: '/audit', list: { paginated: true, limit: limitFlag(input, DEFAULT_AUDIT_LIMIT) } }],
      render: ([entries], { now }) =>
        tableOrEmpty(
          ['time', 'actor', 'action', 'target', 'from'],
          (entries as AuditEntry[]).map((e) => [formatTime(e.at, now), e.actor, e.action, e.target, e.remoteAddress]),
          'No changes recorded.',
        ),
    };
  },
};
