import { loadServerConfig } from '../config/server-config';
import { applyMigrations } from '../database/migrator';
import { createLogger } from '../logging/logger';

/** `fleetban-server migrate`: applies pending migrations and prints their names (one per line). */
export async function migrateCommand(): Promise<void> {
  const config = loadServerConfig();
  const applied = await applyMigrations(config.databaseUrl, { log: createLogger(config.logLevel, process.stderr) });
  process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `${applied.join('\n')}\n`);
}
