import { randomBytes } from 'node:crypto';
import { applyMigrations } from '../../apps/server/src/database/migrator';
import { databaseUrl, dropDatabase } from './test-database';

/**
 * Migrates a template database once per run; every test file then copies it (CREATE DATABASE ... TEMPLATE).
 * Its name is unique to the run, so two runs at once (two terminals, a watcher) do not drop each other's.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = `fleetban_template_${randomBytes(4).toString('hex')}`;
  process.env.FLEETBAN_TEST_TEMPLATE = name;
  await applyMigrations(databaseUrl(name));
  return () => dropDatabase(name);
}
