import { NestFactory } from '@nestjs/core';
import { AgentsService } from '../agents/agents.service';
import { CliModule } from '../app/cli.module';
import { DEFAULT_TUNABLES } from '../app/server-tunables';
import { loadServerConfig } from '../config/server-config';
import { applyMigrations } from '../database/migrator';
import { createLogger } from '../logging/logger';

export const AGENT_USAGE = 'usage: fleetban-server agent add NAME [--json] | fleetban-server agent revoke NAME';

/** `fleetban-server agent add|revoke`. Logs go to stderr; stdout carries only the result. */
export async function agentCommand(args: string[]): Promise<void> {
  const [verb, name, ...rest] = args;
  const json = rest.includes('--json');
  if ((verb !== 'add' && verb !== 'revoke') || !name || rest.some((arg) => arg !== '--json')) throw new UsageError(AGENT_USAGE);
  const config = loadServerConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  await applyMigrations(config.databaseUrl, { log: logger });
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config, DEFAULT_TUNABLES, logger), { logger: false, abortOnError: false });
  try {
    const agents = context.get(AgentsService);
    if (verb === 'add') {
      const enrolled = await agents.add(name);
      const output = json
        ? JSON.stringify({ id: enrolled.agent.id, name: enrolled.agent.name, token: enrolled.token, server: enrolled.serverUrl, enrollCommand: enrolled.enrollCommand })
        : [
            `Agent ${enrolled.agent.name} created (id ${enrolled.agent.id}).`,
            `Its token is shown only now; only a hash is stored:`,
            ``,
            `  ${enrolled.token}`,
            ``,
            `On the Asterisk host, enroll it with:`,
            ``,
            `  ${enrolled.enrollCommand}`,
          ].join('\n');
      process.stdout.write(`${output}\n`);
    } else {
      const agent = await agents.revoke(name);
      process.stdout.write(json ? `${JSON.stringify({ id: agent.id, name: agent.name, revoked: true })}\n` : `Agent ${agent.name} revoked; its connection, if any, is closed.\n`);
    }
  } finally {
    await context.close();
  }
}

export class UsageError extends Error {}
