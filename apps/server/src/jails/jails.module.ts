import { Module } from '@nestjs/common';
import { JailRepository } from './jail.repository';
import { JailsService } from './jails.service';

@Module({ providers: [JailRepository, JailsService], exports: [JailsService] })
export class JailsModule {}
