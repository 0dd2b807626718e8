import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface AgentRecord {
  id: number;
  name: string;
  revoked: boolean;
}

/** What an agent tells about itself in `hello`, kept for status pages. */
export interface AgentReport {
  hostname: string;
  version: string;
  files?: string[];
  spoolBacklog?: number;
}

const toRecord = (row: { id: number; name: string; revokedAt: Date | null }): AgentRecord => ({ id: row.id, name: row.name, revoked: row.revokedAt !== null });

@Injectable()
export class AgentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Null when the name is taken. */
  async create(name: string, tokenHash: string): Promise<AgentRecord | null> {
    try {
      return toRecord(await this.prisma.agent.create({ data: { name, tokenHash } }));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  async findByTokenHash(tokenHash: string): Promise<AgentRecord | null> {
    const row = await this.prisma.agent.findUnique({ where: { tokenHash }, select: { id: true, name: true, revokedAt: true } });
    return row && toRecord(row);
  }

  /** Marks the agent revoked (keeps the first revocation time). Null when no such agent. */
  async revoke(name: string, now: Date): Promise<AgentRecord | null> {
    const row = await this.prisma.agent.findUnique({ where: { name }, select: { id: true } });
    if (!row) return null;
    await this.prisma.agent.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
    return { id: row.id, name, revoked: true };
  }

  /** Which of `ids` are revoked. */
  async revokedAmong(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.agent.findMany({ where: { id: { in: ids }, revokedAt: { not: null } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  async recordHello(id: number, report: AgentReport, now: Date): Promise<void> {
    await this.prisma.agent.update({
      where: { id },
      data: { hostname: report.hostname, version: report.version, lastSeenAt: now, report: { files: report.files ?? [], spoolBacklog: report.spoolBacklog ?? null } },
    });
  }

  /** Raises the applied sequence (never lowers it: messages of an old connection may arrive late). */
  async recordApplied(id: number, seq: number, now: Date): Promise<void> {
    await this.prisma.agent.updateMany({ where: { id, appliedSeq: { lt: BigInt(seq) } }, data: { appliedSeq: BigInt(seq), lastSeenAt: now } });
  }

  async recordRefused(id: number, refused: { seq: number; bans: { ip: string; reason: string }[] }, now: Date): Promise<void> {
    const row = await this.prisma.agent.findUnique({ where: { id }, select: { report: true } });
    const report = (row?.report && typeof row.report === 'object' && !Array.isArray(row.report) ? row.report : {}) as Prisma.JsonObject;
    await this.prisma.agent.update({ where: { id }, data: { report: { ...report, refused: { ...refused, at: now.toISOString() } } } });
  }
}
