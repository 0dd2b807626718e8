import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { ServerMetrics } from './server-metrics';

@Global()
@Module({ providers: [ServerMetrics], controllers: [MetricsController], exports: [ServerMetrics] })
export class MetricsModule {}
