import pino from 'pino';
import { EXIT_OK, type AgentCommand } from './agent-command';
import { readOptions, requireOption } from './command-args';
import { loadConfigOrReport } from './config-error';
import { AgentRuntime } from '../runtime/agent-runtime';

const USAGE = `usage: fleetban-agent run --config <file> [--dry-run]

Follows the logs named in the config, streams their security events to the server and enforces the fleet's
bans in nftables (table inet <firewall.table>). --dry-run does everything but touch nftables: what it would
enforce shows in \`fleetban-agent status\`. Stops cleanly on SIGTERM or SIGINT. Logs are JSON lines on stdout.`;

export const runCommand: AgentCommand = {
  name: 'run',
  summary: 'run the agent (follow logs, stream events, enforce bans)',
  usage: USAGE,
  async run(args, io) {
    const options = readOptions(args, { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean' } });
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    const config = loadConfigOrReport(requireOption(options.config as string | undefined, 'config'), io);
    if (typeof config === 'number') return config;
    const log = pino({ base: { service: 'fleetban-agent', pid: process.pid }, level: process.env.FLEETBAN_LOG_LEVEL ?? 'info' }, io.stdout);
    const dryRun = options['dry-run'] === true || config.firewall.dryRun;
    const runtime = await AgentRuntime.start(config, { dryRun, log });
    log.info({ server: config.server.url, logs: config.logs, dryRun, table: config.firewall.table }, dryRun ? 'agent running in dry-run mode: nftables is not touched' : 'agent running');
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await runtime.stop();
    return EXIT_OK;
  },
};
