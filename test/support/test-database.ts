import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Server of the test databases; override with FLEETBAN_TEST_PG (a postgresql:// URL without database). */
export const TEST_PG_URL = process.env.FLEETBAN_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432';

export const databaseUrl = (name: string): string => `${TEST_PG_URL}/${name}`;

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * A fresh, migrated database for one test file: a copy of the template that global setup migrated once.
 * Returns its URL and a function that drops it.
 */
export async function createTestDatabase(label = 'test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `fleetban_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const template = process.env.FLEETBAN_TEST_TEMPLATE;
  if (!template) throw new Error('no template database: run the tests through vitest (its global setup migrates one)');
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return { url: databaseUrl(name), name, drop: () => dropDatabase(name) };
}

/** A database with nothing in it (not even migrations), for tests of the migrator itself. */
export async function createEmptyDatabase(label = 'empty'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `fleetban_${label}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  return { url: databaseUrl(name), name, drop: () => dropDatabase(name) };
}
