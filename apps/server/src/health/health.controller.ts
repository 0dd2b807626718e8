import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ServerState } from '../common/server-state';
import { RedisService } from '../redis/redis.service';
import { HealthRepository } from './health.repository';

const CHECK_TIMEOUT_MS = 2000;

/** The part of the platform's response object used here (express types are not installed). */
interface StatusResponse {
  status(code: number): unknown;
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)))]);
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'failed';
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly database: HealthRepository,
    private readonly redis: RedisService,
    private readonly state: ServerState,
  ) {}

  /** The process runs and serves HTTP. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Can serve agents: PostgreSQL and Redis answer, and the instance is not shutting down. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: StatusResponse): Promise<{ status: string; checks: Record<string, string> }> {
    const [postgres, redis] = await Promise.all([check(() => this.database.ping()), check(() => this.redis.ping())]);
    const checks = { postgres, redis, shutdown: this.state.draining ? 'in progress' : 'ok' };
    const ok = Object.values(checks).every((value) => value === 'ok');
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
