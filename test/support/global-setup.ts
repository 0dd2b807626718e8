import { applyMigrations } from '../../apps/server/src/database/migrator';
import { databaseUrl, dropDatabase, TEMPLATE_DATABASE } from './test-database';

/** Migrates the template database once per run; every test file then copies it (CREATE DATABASE ... TEMPLATE). */
export default async function setup(): Promise<void> {
  await dropDatabase(TEMPLATE_DATABASE);
  await applyMigrations(databaseUrl(TEMPLATE_DATABASE));
}
