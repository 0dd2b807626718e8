import type { AgentCommand } from './agent-command';
import { enrollCommand } from './enroll.command';
import { parseCommand } from './parse.command';
import { runCommand } from './run.command';
import { statusCommand } from './status.command';
import { uninstallFirewallCommand } from './uninstall-firewall.command';

/** Every `fleetban-agent` command by name. A new command is one file in this folder and one line here. */
export const COMMANDS: ReadonlyMap<string, AgentCommand> = new Map([enrollCommand, runCommand, statusCommand, parseCommand, uninstallFirewallCommand].map((c) => [c.name, c]));
