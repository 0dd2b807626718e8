import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface PendingEvaluation {
  id: bigint;
  ips: string[];
}

/** Markers of stored IPs not yet handed to the ban engine (written with each batch by SecurityEventRepository). */
@Injectable()
export class PendingEvaluationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Markers older than `before`, oldest first: their enqueue was missed (Redis away, process killed). */
  async olderThan(before: Date, limit: number): Promise<PendingEvaluation[]> {
    return this.prisma.pendingEvaluation.findMany({ where: { createdAt: { lt: before } }, orderBy: { id: 'asc' }, take: limit, select: { id: true, ips: true } });
  }

  async delete(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.pendingEvaluation.deleteMany({ where: { id: { in: [...ids] } } });
  }

  async count(): Promise<number> {
    return this.prisma.pendingEvaluation.count();
  }
}
