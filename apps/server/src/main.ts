import 'reflect-metadata';
import { UsageError, agentCommand } from './commands/agent.command';
import { importFail2banCommand } from './commands/import-fail2ban.command';
import { migrateCommand } from './commands/migrate.command';
import { startCommand } from './commands/start.command';
import { DomainError } from './common/domain-error';
import { ConfigError } from './config/server-config';

const USAGE = `fleetban-server: the central fleetban service

  fleetban-server start                     apply pending migrations, then serve agents, /health and /metrics
  fleetban-server migrate                   apply pending migrations and exit
  fleetban-server agent add NAME [--json]   create an agent; prints its one-time token and the enroll command
  fleetban-server agent revoke NAME         revoke an agent's token; closes its connection
  fleetban-server import-fail2ban FILE [--dry-run] [--json]
                                            import fail2ban's asterisk jails and ignoreip (jail.conf, jail.local)

Configuration comes from the environment: DATABASE_URL, REDIS_URL, FLEETBAN_HOST, FLEETBAN_PORT,
FLEETBAN_PUBLIC_URL, FLEETBAN_ADMIN_TOKEN, FLEETBAN_TLS_CERT, FLEETBAN_TLS_KEY, FLEETBAN_REDIS_PREFIX, FLEETBAN_LOG_LEVEL,
FLEETBAN_ROLE (all | api | worker), FLEETBAN_JAILS_FILE, FLEETBAN_EVENT_RETENTION_DAYS, FLEETBAN_BREAKER_LIMIT, FLEETBAN_UNBAN_GRACE,
FLEETBAN_CORS_ORIGINS (browser origins allowed to call the admin API; none by default).
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return startCommand();
    case 'migrate':
      return migrateCommand();
    case 'agent':
      return agentCommand(args);
    case 'import-fail2ban':
      return importFail2banCommand(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`fleetban-server: ${error.message}\n`);
    process.exit(2);
  }
  const known = error instanceof DomainError || error instanceof ConfigError;
  process.stderr.write(`fleetban-server: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
