import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { BatchWriter } from './batch-writer';
import { EvaluationDispatcher } from './evaluation-dispatcher';
import { EvaluationSweeper } from './evaluation-sweeper';
import { IngestService } from './ingest.service';
import { PendingEvaluationRepository } from './pending-evaluation.repository';
import { SecurityEventRepository } from './security-event.repository';

@Module({
  imports: [JobsModule],
  providers: [SecurityEventRepository, PendingEvaluationRepository, EvaluationDispatcher, BatchWriter, EvaluationSweeper, IngestService],
  exports: [IngestService, EvaluationSweeper, EvaluationDispatcher, PendingEvaluationRepository],
})
export class IngestModule {}
