import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigModule } from '../config/config.module';
import type { ServerConfig } from '../config/server-config';
import { LoggingModule } from '../logging/logging.module';
import { CoreModule } from './core.module';
import type { ServerTunables } from './server-tunables';

/** The shared infrastructure of every root module (server, CLI). */
export function infrastructure(config: ServerConfig, tunables: ServerTunables, logger: Logger): DynamicModule[] {
  return [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), CoreModule.forRoot(tunables)];
}
