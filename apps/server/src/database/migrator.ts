import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** prisma/migrations, found from the source tree and from the built tree (dist/apps/server/apps/server/src/database). */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  throw new Error(`prisma/migrations not found above ${__dirname}: run fleetban-server from its installation folder`);
}

export interface Migration {
  name: string;
  sql: string;
  /** Prisma's checksum: SHA-256 of migration.sql, hex. */
  checksum: string;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface MigrationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

// Prisma Migrate's own advisory lock key: our runner and `prisma migrate deploy` never run at the same time.
const PRISMA_MIGRATE_LOCK = 72707369;

// The bookkeeping table of Prisma Migrate, as Prisma creates it, so `prisma migrate status` agrees with us.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies pending migrations of prisma/migrations, each in its own transaction, recording them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` would. Works offline: no Prisma engine needed.
 * Creates the database first when it does not exist. Safe to run from several instances at once.
 */
export async function applyMigrations(databaseUrl: string, options: { dir?: string; log?: MigrationLog } = {}): Promise<string[]> {
  const migrations = readMigrations(options.dir ?? defaultMigrationsDir());
  await ensureDatabaseExists(databaseUrl, options.log);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL');
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const done: string[] = [];
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row && row.finished_at === null) {
        throw new Error(`migration ${migration.name} failed earlier and is marked unfinished in _prisma_migrations: fix the database by hand, then run \`prisma migrate resolve --rolled-back ${migration.name}\` (or delete that row) and start again`);
      }
      if (row) {
        if (row.checksum !== migration.checksum) options.log?.warn({ migration: migration.name }, 'migration was modified after it was applied; the database keeps the applied version');
        continue;
      }
      await applyOne(client, migration);
      options.log?.info({ migration: migration.name }, 'migration applied');
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, migration.checksum, migration.name]);
    await client.query(migration.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
  }
}

async function ensureDatabaseExists(databaseUrl: string, log?: MigrationLog): Promise<void> {
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    log?.info({ database: name }, 'database created');
  } catch (error) {
    // Another instance created it between our probe and now.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
}
