import { Module } from '@nestjs/common';
import { ConfigChanges } from '../common/config-changes';
import { JailRepository } from './jail.repository';
import { JailsService } from './jails.service';

@Module({ providers: [JailRepository, JailsService, ConfigChanges], exports: [JailsService] })
export class JailsModule {}
