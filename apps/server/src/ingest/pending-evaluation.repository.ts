import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { PgPool } from '../database/pg-pool';

export interface PendingEvaluation {
  id: bigint;
  ips: string[];
}

/** Markers of stored IPs not yet handed to the ban engine (written with each batch by SecurityEventRepository). */
@Injectable()
export class PendingEvaluationRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  /** Markers older than `before`, oldest first: their enqueue was missed (Redis away, process killed). */
  async olderThan(before: Date, limit: number): Promise<PendingEvaluation[]> {
    return this.prisma.pendingEvaluation.findMany({ where: { createdAt: { lt: before } }, orderBy: { id: 'asc' }, take: limit, select: { id: true, ips: true } });
  }

  /** Runs after every enqueue, on the ingest path: plain pg, like the batch insert (see PgPool). */
  async delete(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pg.pool.query('DELETE FROM pending_evaluations WHERE id = ANY($1::bigint[])', [ids.map(String)]);
  }

  async count(): Promise<number> {
    return this.prisma.pendingEvaluation.count();
  }
}
