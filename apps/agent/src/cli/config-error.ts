import { AgentConfigError, loadAgentConfig, type AgentConfig } from '../config/agent-config';
import type { CommandIo } from './agent-command';

/** Loads the config for a command; an invalid one is printed (every bad key) and yields exit code 2. */
export function loadConfigOrReport(file: string, io: CommandIo): AgentConfig | number {
  try {
    return loadAgentConfig(file);
  } catch (error) {
    if (error instanceof AgentConfigError) {
      io.stderr.write(`fleetban-agent: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
