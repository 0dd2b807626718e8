import { NftablesEnforcer, NftCli } from '@fleetban/nftables';
import { EXIT_OK, type AgentCommand } from './agent-command';
import { readOptions, requireOption } from './command-args';
import { loadConfigOrReport } from './config-error';

const USAGE = `usage: fleetban-agent uninstall-firewall --config <file>

Removes the agent's nftables table (and only it): the host's firewall is as it was before fleetban.
Stop the agent first, or it re-creates the table.`;

export const uninstallFirewallCommand: AgentCommand = {
  name: 'uninstall-firewall',
  summary: "remove the agent's nftables table",
  usage: USAGE,
  async run(args, io) {
    const options = readOptions(args, { config: { type: 'string', short: 'c' } });
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    const config = loadConfigOrReport(requireOption(options.config as string | undefined, 'config'), io);
    if (typeof config === 'number') return config;
    const enforcer = new NftablesEnforcer({ table: config.firewall.table }, new NftCli({ prefix: config.firewall.commandPrefix }));
    await enforcer.removeTable();
    io.stdout.write(`removed table inet ${config.firewall.table}\n`);
    return EXIT_OK;
  },
};
