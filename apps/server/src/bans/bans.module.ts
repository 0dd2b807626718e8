import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { BanRepository } from './ban.repository';
import { BansService } from './bans.service';

@Module({ imports: [FleetModule], providers: [BanRepository, BansService], exports: [BansService, BanRepository] })
export class BansModule {}
