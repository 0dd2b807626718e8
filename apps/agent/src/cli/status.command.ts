import { EXIT_FAILURE, EXIT_OK, type AgentCommand } from './agent-command';
import { readOptions, requireOption } from './command-args';
import { loadConfigOrReport } from './config-error';
import { readStatus } from '../status/agent-status';

const USAGE = `usage: fleetban-agent status --config <file> [--json]

Shows the running agent's state: connection to the server, files followed and their positions, spool backlog,
bans enforced (or that would be, in dry-run), refusals and the last error. Exit code 1 when the agent is not running.`;

export const statusCommand: AgentCommand = {
  name: 'status',
  summary: "show the running agent's connection, files, spool and bans",
  usage: USAGE,
  async run(args, io) {
    const options = readOptions(args, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    const config = loadConfigOrReport(requireOption(options.config as string | undefined, 'config'), io);
    if (typeof config === 'number') return config;
    const status = await readStatus(config.stateDir);
    if (options.json) {
      io.stdout.write(`${JSON.stringify(status ?? { running: false, connected: false, bans: [], stateDir: config.stateDir })}\n`);
      return status?.running ? EXIT_OK : EXIT_FAILURE;
    }
    if (!status) {
      io.stdout.write(`agent not started yet (no status in ${config.stateDir}): run \`fleetban-agent run --config ...\` or start the service\n`);
      return EXIT_FAILURE;
    }
    const lines = [
      `agent:      ${status.running ? `running (pid ${status.pid}, since ${status.startedAt})` : 'NOT RUNNING (last status below)'}${status.dryRun ? ', dry run' : ''}`,
      `server:     ${status.server} ${status.connected ? `connected since ${status.connectedSince}` : 'NOT CONNECTED'}`,
      ...(status.lastError ? [`last error: ${status.lastError}`] : []),
      `spool:      ${status.spool.events} events waiting (${status.spool.bytes} bytes), ${status.spool.inFlightBatches} batches in flight, ${status.spool.dropped} dropped`,
      `parser:     ${status.parser.events} events, ${status.parser.ignored} lines ignored, rejected: ${JSON.stringify(status.parser.rejected)}`,
      'files:',
      ...status.files.map((f) => `  ${f.path}  offset ${f.offset}${f.size === null ? ' (waiting for the file)' : ` of ${f.size}`}, ${f.linesRead} lines${f.lastError ? `, error: ${f.lastError}` : ''}`),
      `bans:       ${status.bans.length} ${status.dryRun ? 'would be enforced' : 'enforced'} (ban change ${status.appliedSeq})`,
      ...status.bans.slice(0, 50).map((ip) => `  ${ip}`),
      ...(status.bans.length > 50 ? [`  ... and ${status.bans.length - 50} more (--json lists all)`] : []),
      ...(status.refused.length > 0 ? ['refused:', ...status.refused.map((r) => `  ${r.ip}: ${r.reason}`)] : []),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return status.running ? EXIT_OK : EXIT_FAILURE;
  },
};
