import { loadServerConfig } from '../config/server-config';
import { applyMigrations } from '../database/migrator';
import { createServerApp } from '../app/server-app';
import { createLogger } from '../logging/logger';

/** `fleetban-server start`: applies pending migrations, then serves until SIGTERM/SIGINT (graceful), a second signal exits at once. */
export async function startCommand(): Promise<void> {
  const config = loadServerConfig();
  const logger = createLogger(config.logLevel);
  await applyMigrations(config.databaseUrl, { log: logger });
  const server = await createServerApp(config, { logger });
  if (server.firstAdminToken) {
    process.stdout.write(`\nFirst start: an admin API token was created. It is shown only this once; keep it safe:\n\n  FLEETBAN_TOKEN=${server.firstAdminToken}\n\nUse it with the fleetban CLI (fleetban --url ${server.url} --token ...), or set FLEETBAN_ADMIN_TOKEN to choose your own.\n\n`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    server.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
