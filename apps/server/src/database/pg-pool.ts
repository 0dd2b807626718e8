import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

/**
 * A plain pg pool for the few hot statements of the server: the batch insert, and the ban transaction on the way
 * from a decision to every agent. Measured on a 500-event batch: Prisma's $queryRawUnsafe spends ~40 ms of client
 * CPU converting the array parameters, pg ~5 ms; at the 50,000 events/s goal that difference alone is more than a
 * core. Through Prisma each statement of the ban transaction cost ~1 ms (5 of them), through pg ~0.2 ms.
 * Everything else goes through Prisma.
 */
@Injectable()
export class PgPool implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(@Inject(SERVER_CONFIG) config: ServerConfig) {
    // Idle connections are kept (pg closes them after 10 s by default): a connection opened on the way to a ban,
    // with its statements to prepare again, cost that ban several milliseconds.
    this.pool = new Pool({ connectionString: config.databaseUrl, max: 10, idleTimeoutMillis: 0 });
    this.pool.on('error', () => undefined); // an idle client lost its connection; the pool replaces it
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
