import { Module } from '@nestjs/common';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import { AgentsController } from '../agents/agents.controller';
import { AgentsModule } from '../agents/agents.module';
import { AllowlistController } from '../allowlist/allowlist.controller';
import { AllowlistModule } from '../allowlist/allowlist.module';
import { AuditController } from '../audit/audit.controller';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditRepository } from '../audit/audit.repository';
import { BanAdminService } from '../bans/ban-admin.service';
import { BansController } from '../bans/bans.controller';
import { BansModule } from '../bans/bans.module';
import { EngineModule } from '../engine/engine.module';
import { EventsController } from '../events/events.controller';
import { EventsRepository } from '../events/events.repository';
import { ExplainController } from '../explain/explain.controller';
import { ExplainService } from '../explain/explain.service';
import { JailsController } from '../jails/jails.controller';
import { JailsModule } from '../jails/jails.module';
import { StatusController } from '../status/status.controller';
import { StatusService } from '../status/status.service';
import { ApiTokenRepository } from '../tokens/api-token.repository';
import { ApiTokensService } from '../tokens/api-tokens.service';
import { TokensController } from '../tokens/tokens.controller';
import { ApiAuthGuard } from './api-auth.guard';
import { CallerAddress } from './caller-address';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';

/**
 * The admin API (/api/v1): its controllers live in their capabilities' folders; this module wires them above
 * those capabilities, so no capability has to know the API exists.
 */
@Module({
  imports: [AgentsModule, AllowlistModule, BansModule, EngineModule, JailsModule],
  controllers: [StatusController, BansController, AllowlistController, JailsController, AgentsController, EventsController, ExplainController, AuditController, TokensController],
  providers: [
    ApiTokenRepository,
    ApiTokensService,
    ApiAuthGuard,
    CallerAddress,
    RateLimiter,
    RateLimitGuard,
    AuditRepository,
    AuditInterceptor,
    AgentDirectoryRepository,
    BanAdminService,
    EventsRepository,
    ExplainService,
    StatusService,
  ],
  exports: [ApiTokensService],
})
export class AdminApiModule {}
