import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsModule } from '../agents/agents.module';
import { AdminApiModule } from '../api/admin-api.module';
import type { ServerConfig } from '../config/server-config';
import { DatabaseModule } from '../database/database.module';
import { EngineModule } from '../engine/engine.module';
import { FleetModule } from '../fleet/fleet.module';
import { GatewayModule } from '../gateway/gateway.module';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { infrastructure } from './infrastructure';
import type { ServerTunables } from './server-tunables';

export { infrastructure } from './infrastructure';

/**
 * The server: HTTP (health, metrics, admin API), the agent gateway with ingest and ban fan-out, and the ban
 * engine (its workers run unless FLEETBAN_ROLE=api).
 */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [...infrastructure(config, tunables, logger), DatabaseModule, RedisModule, MetricsModule, HealthModule, AgentsModule, IngestModule, FleetModule, GatewayModule, EngineModule, AdminApiModule],
    };
  }
}
