import { Module } from '@nestjs/common';
import { BansModule } from '../bans/bans.module';
import { ConfigChanges } from '../common/config-changes';
import { AllowlistRepository } from './allowlist.repository';
import { AllowlistService } from './allowlist.service';

@Module({ imports: [BansModule], providers: [AllowlistRepository, AllowlistService, ConfigChanges], exports: [AllowlistService] })
export class AllowlistModule {}
