import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import type { AuditEntry, NewAuditEntry } from './audit-entry';

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(entry: NewAuditEntry): Promise<void> {
    await this.prisma.auditEntry.create({
      data: { actor: entry.actor, action: entry.action, target: entry.target, details: (entry.details ?? undefined) as Prisma.InputJsonValue | undefined, remoteAddress: entry.remoteAddress },
    });
  }

  /** Newest first, entries with id below `beforeId` when given. */
  async page(limit: number, beforeId: bigint | null): Promise<AuditEntry[]> {
    const rows = await this.prisma.auditEntry.findMany({ where: beforeId === null ? {} : { id: { lt: beforeId } }, orderBy: { id: 'desc' }, take: limit });
    return rows.map((row) => ({ id: String(row.id), at: row.at, actor: row.actor, action: row.action, target: row.target, details: row.details, remoteAddress: row.remoteAddress }));
  }
}
