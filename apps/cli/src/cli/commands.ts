import { allowAddCommand, allowLsCommand, allowRmCommand } from '../commands/allow.command';
import { agentAddCommand, agentRevokeCommand, agentsCommand } from '../commands/agents.command';
import { auditCommand } from '../commands/audit.command';
import { banCommand, bansCommand, unbanCommand } from '../commands/bans.command';
import { eventsCommand, eventsTopCommand } from '../commands/events.command';
import { explainCommand } from '../commands/explain.command';
import { jailSetCommand, jailsCommand } from '../commands/jails.command';
import { statusCommand } from '../commands/status.command';
import { tokenAddCommand, tokenRevokeCommand, tokensCommand } from '../commands/tokens.command';
import type { CliCommand } from './cli-command';

/** Every `fleetban` command, in the order help lists them. A new command is a file in ../commands and a line here. */
export const COMMANDS: readonly CliCommand[] = [
  statusCommand,
  bansCommand,
  banCommand,
  unbanCommand,
  explainCommand,
  allowLsCommand,
  allowAddCommand,
  allowRmCommand,
  agentsCommand,
  agentAddCommand,
  agentRevokeCommand,
  jailsCommand,
  jailSetCommand,
  eventsCommand,
  eventsTopCommand,
  tokensCommand,
  tokenAddCommand,
  tokenRevokeCommand,
  auditCommand,
];
