import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsModule } from '../agents/agents.module';
import { ConfigModule } from '../config/config.module';
import type { ServerConfig } from '../config/server-config';
import { DatabaseModule } from '../database/database.module';
import { FleetModule } from '../fleet/fleet.module';
import { GatewayModule } from '../gateway/gateway.module';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { CoreModule } from './core.module';
import type { ServerTunables } from './server-tunables';

/** The shared infrastructure of every root module (server, CLI). */
export function infrastructure(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule[] {
  return [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), CoreModule.forRoot(tunables)];
}

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

/** What the `agent` commands need: the database, Redis (to broadcast revocations) and the agents capability. */
@Module({})
export class CliModule {
  static forRoot(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule {
    return { module: CliModule, imports: [...infrastructure(config, tunables, logger), DatabaseModule, RedisModule, AgentsModule] };
  }
}
