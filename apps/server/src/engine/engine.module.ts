import { Module } from '@nestjs/common';
import { AllowlistModule } from '../allowlist/allowlist.module';
import { BansModule } from '../bans/bans.module';
import { JailsModule } from '../jails/jails.module';
import { BanEngine } from './ban-engine.service';
import { CircuitBreaker } from './circuit-breaker';
import { EvaluateProcessor } from './evaluate.processor';
import { FailureRepository } from './failure.repository';
import { FailureWindow } from './failure-window';
import { MaintenanceProcessor } from './maintenance.processor';
import { RetentionRepository } from './retention.repository';

/** The ban engine: evaluate jobs, fleet-wide failure windows, the circuit breaker, expiry and retention. */
@Module({
  imports: [BansModule, JailsModule, AllowlistModule],
  providers: [BanEngine, CircuitBreaker, EvaluateProcessor, FailureRepository, FailureWindow, MaintenanceProcessor, RetentionRepository],
  exports: [BanEngine, CircuitBreaker, FailureWindow, MaintenanceProcessor],
})
export class EngineModule {}
