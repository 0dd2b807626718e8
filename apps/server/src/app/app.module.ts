import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsModule } from '../agents/agents.module';
import type { ServerConfig } from '../config/server-config';
import { DatabaseModule } from '../database/database.module';
import { FleetModule } from '../fleet/fleet.module';
import { GatewayModule } from '../gateway/gateway.module';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { infrastructure } from './infrastructure';
import type { ServerTunables } from './server-tunables';

export { infrastructure } from './infrastructure';

/** The server role: HTTP (health, metrics) and the agent gateway with ingest and ban fan-out. */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [...infrastructure(config, tunables, logger), DatabaseModule, RedisModule, MetricsModule, HealthModule, AgentsModule, IngestModule, FleetModule, GatewayModule],
    };
  }
}
