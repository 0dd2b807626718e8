import { Module } from '@nestjs/common';
import { BansModule } from '../bans/bans.module';
import { AllowlistRepository } from './allowlist.repository';
import { AllowlistService } from './allowlist.service';

@Module({ imports: [BansModule], providers: [AllowlistRepository, AllowlistService], exports: [AllowlistService] })
export class AllowlistModule {}
