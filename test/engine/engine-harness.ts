import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { AllowlistModule } from '../../apps/server/src/allowlist/allowlist.module';
import { infrastructure } from '../../apps/server/src/app/app.module';
import { DEFAULT_TUNABLES } from '../../apps/server/src/app/server-tunables';
import { BansModule } from '../../apps/server/src/bans/bans.module';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { DatabaseModule } from '../../apps/server/src/database/database.module';
import { EngineModule } from '../../apps/server/src/engine/engine.module';
import { FleetModule } from '../../apps/server/src/fleet/fleet.module';
import { JailsModule } from '../../apps/server/src/jails/jails.module';
import { createLogger } from '../../apps/server/src/logging/logger';
import { MetricsModule } from '../../apps/server/src/metrics/metrics.module';
import { RedisModule } from '../../apps/server/src/redis/redis.module';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { serverEnv } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

/** The ban engine's modules on a fresh database and Redis prefix, without HTTP, with SQL access for arranging data. */
export async function startEngine(env: NodeJS.ProcessEnv = {}) {
  const db = await createTestDatabase('engine');
  const redis = uniqueRedisPrefix('engine');
  // The worker stays off (role api): tests call the engine directly, with their own clock.
  const config = loadServerConfig({ ...serverEnv(db.url, redis.prefix), FLEETBAN_ROLE: 'api', ...env });
  const module: TestingModule = await Test.createTestingModule({
    imports: [...infrastructure(config, DEFAULT_TUNABLES, createLogger('warn', process.stderr)), DatabaseModule, RedisModule, MetricsModule, FleetModule, BansModule, JailsModule, AllowlistModule, EngineModule],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.init();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const agentIds: number[] = [];
  for (const name of ['pbx-a', 'pbx-b', 'pbx-c']) {
    const { rows } = await sql.query<{ id: number }>('INSERT INTO agents (name, token_hash) VALUES ($1, $2) RETURNING id', [name, `hash-${name}`]);
    agentIds.push(rows[0]!.id);
  }
  return {
    app,
    sql,
    agentIds,
    /** Stores one failure as ingest would. */
    async failure(ip: string, agentId: number, time: number, type = 'InvalidAccountID', session: string | null = null): Promise<void> {
      await sql.query('INSERT INTO security_events (agent_id, time, type, failure, ip, source, session) VALUES ($1, $2, $3, true, $4, $5, $6)', [agentId, new Date(time), type, ip, 'security', session]);
    },
    async close(): Promise<void> {
      await sql.end();
      await app.close();
      await db.drop();
      await redis.cleanup();
    },
  };
}
