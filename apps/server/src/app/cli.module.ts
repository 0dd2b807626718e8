import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsModule } from '../agents/agents.module';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';
import type { ServerConfig } from '../config/server-config';
import { infrastructure } from './infrastructure';
import type { ServerTunables } from './server-tunables';

/** What the `agent` commands need: the database, Redis (to broadcast revocations) and the agents capability. */
@Module({})
export class CliModule {
  static forRoot(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule {
    return { module: CliModule, imports: [...infrastructure(config, tunables, logger), DatabaseModule, RedisModule, AgentsModule] };
  }
}
