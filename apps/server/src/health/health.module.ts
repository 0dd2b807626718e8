import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';

@Module({ providers: [HealthRepository], controllers: [HealthController] })
export class HealthModule {}
