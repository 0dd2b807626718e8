import { Module } from '@nestjs/common';
import { BanChangeRepository } from './ban-change.repository';
import { BanFeedService } from './ban-feed.service';

/** The fan-out of ban changes to every connected agent, across instances. */
@Module({ providers: [BanChangeRepository, BanFeedService], exports: [BanFeedService] })
export class FleetModule {}
