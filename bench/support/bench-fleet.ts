// What several benchmarks share: a fresh database with N agents, the built server as a child process, cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { generateAgentToken, hashAgentToken } from '../../apps/server/src/agents/agent-token';
import { applyMigrations } from '../../apps/server/src/database/migrator';

export const ROOT = join(__dirname, '..', '..');
export const PG = process.env.FLEETBAN_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchFleet {
  database: string;
  redisPrefix: string;
  port: number;
  /** One token per agent, agents named bench-0, bench-1, ... */
  tokens: string[];
}

export async function sql(database: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: `${PG}/${database}` });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database holding `agents` agents, as `fleetban-server agent add` would create them. */
export async function prepareFleet(database: string, agents: number, port: number): Promise<BenchFleet> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await applyMigrations(`${PG}/${database}`);
  const tokens = Array.from({ length: agents }, () => generateAgentToken());
  const names = tokens.map((_, i) => `bench-${i}`);
  await sql(database, 'INSERT INTO agents (name, token_hash) SELECT * FROM unnest($1::text[], $2::text[])', [names, tokens.map(hashAgentToken)]);
  return { database, redisPrefix: `fleetban-bench-${process.pid}-${database}`, port, tokens };
}

/** `fleetban-server start` (the built bin) for the fleet, ready when /health/ready answers; `port` for a second instance. */
export async function startServer(fleet: BenchFleet, role: string, nodeArgs: string[] = [], port = fleet.port): Promise<ChildProcess> {
  const env = { ...process.env, DATABASE_URL: `${PG}/${fleet.database}`, FLEETBAN_PORT: String(port), FLEETBAN_HOST: '127.0.0.1', REDIS_URL, FLEETBAN_REDIS_PREFIX: fleet.redisPrefix, FLEETBAN_LOG_LEVEL: 'warn', FLEETBAN_ROLE: role };
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'fleetban-server.js'), 'start'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (child.exitCode !== null) throw new Error(`fleetban-server exited with ${child.exitCode}; is it built (npm run build)?`);
    if (await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false)) return child;
  }
  child.kill('SIGKILL');
  throw new Error('fleetban-server did not become ready within 90 s');
}

/** Stops the server and removes the fleet's database and Redis keys. */
export async function teardownFleet(fleet: BenchFleet, server: ChildProcess): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await dropFleet(fleet);
}

/** Removes the fleet's database and Redis keys (its servers already stopped). */
export async function dropFleet(fleet: BenchFleet): Promise<void> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${fleet.database} WITH (FORCE)`);
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${fleet.redisPrefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
