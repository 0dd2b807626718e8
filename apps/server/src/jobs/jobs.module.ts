import { Module } from '@nestjs/common';
import { EvaluateQueue } from './evaluate.queue';

@Module({ providers: [EvaluateQueue], exports: [EvaluateQueue] })
export class JobsModule {}
