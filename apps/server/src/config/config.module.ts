import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SERVER_CONFIG, type ServerConfig } from './server-config';

/** Provides the configuration parsed once at boot (see loadServerConfig) to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: SERVER_CONFIG, useValue: config }], exports: [SERVER_CONFIG] };
  }
}
