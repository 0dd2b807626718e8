import type { AgentCommand } from './agent-command';
import { parseCommand } from './parse.command';

/** Every `fleetban-agent` command by name. A new command is one file in this folder and one line here. */
export const COMMANDS: ReadonlyMap<string, AgentCommand> = new Map([parseCommand].map((c) => [c.name, c]));
