import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** An agent as the admin API shows it (the connection state comes from AgentPresence). */
export interface AgentDetails {
  id: number;
  name: string;
  hostname: string | null;
  version: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
  revoked: boolean;
  appliedSeq: number;
  files: string[];
  spoolBacklog: number | null;
}

/** Read side of agents for the admin API: names for ids, details for lists. */
@Injectable()
export class AgentDirectoryRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<AgentDetails[]> {
    const rows = await this.prisma.agent.findMany({ orderBy: { name: 'asc' } });
    return rows.map((row) => {
      const report = (row.report ?? {}) as { files?: unknown; spoolBacklog?: unknown };
      return {
        id: row.id,
        name: row.name,
        hostname: row.hostname,
        version: row.version,
        createdAt: row.createdAt,
        lastSeenAt: row.lastSeenAt,
        revoked: row.revokedAt !== null,
        appliedSeq: Number(row.appliedSeq),
        files: Array.isArray(report.files) ? report.files.filter((f): f is string => typeof f === 'string') : [],
        spoolBacklog: typeof report.spoolBacklog === 'number' ? report.spoolBacklog : null,
      };
    });
  }

  async idByName(name: string): Promise<number | null> {
    return (await this.prisma.agent.findUnique({ where: { name }, select: { id: true } }))?.id ?? null;
  }

  async names(): Promise<Map<number, string>> {
    const rows = await this.prisma.agent.findMany({ select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  async latestBanSeq(): Promise<number> {
    const row = await this.prisma.banChange.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return row ? Number(row.seq) : 0;
  }
}
