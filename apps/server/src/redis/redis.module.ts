import { Global, Module } from '@nestjs/common';
import { ConfigChanges } from '../common/config-changes';
import { RedisService } from './redis.service';

@Global()
@Module({ providers: [RedisService, ConfigChanges], exports: [RedisService, ConfigChanges] })
export class RedisModule {}
