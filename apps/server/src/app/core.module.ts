import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServerState } from '../common/server-state';
import { SERVER_TUNABLES, type ServerTunables } from './server-tunables';

/** Process-wide state and knobs every capability may read. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(tunables: ServerTunables): DynamicModule {
    return { module: CoreModule, providers: [ServerState, { provide: SERVER_TUNABLES, useValue: tunables }], exports: [ServerState, SERVER_TUNABLES] };
  }
}
