import { Injectable } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import { PrismaService } from '../database/prisma.service';
import type { AllowlistEntry, NewAllowlistEntry } from './allowlist-entry';

interface EntryRow {
  id: number;
  cidr: string;
  scope: AllowlistEntry['scope'];
  agent_id: number | null;
  note: string | null;
  created_at: Date;
  created_by: string | null;
}

const toEntry = (row: EntryRow): AllowlistEntry => ({
  id: row.id,
  cidr: normalizeCidr(row.cidr, { strict: false }) ?? row.cidr,
  scope: row.scope,
  agentId: row.agent_id,
  note: row.note,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

@Injectable()
export class AllowlistRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<AllowlistEntry[]> {
    const rows = await this.prisma.$queryRaw<EntryRow[]>`
      SELECT id, cidr::text AS cidr, scope, agent_id, note, created_at, created_by FROM allowlist_entries ORDER BY id`;
    return rows.map(toEntry);
  }

  async add(entry: NewAllowlistEntry): Promise<AllowlistEntry> {
    const [row] = await this.prisma.$queryRaw<EntryRow[]>`
      INSERT INTO allowlist_entries (cidr, scope, agent_id, note, created_by)
      VALUES (${entry.cidr}::inet, ${entry.agentId === null ? 'global' : 'agent'}::"AllowlistScope", ${entry.agentId}, ${entry.note}, ${entry.createdBy})
      RETURNING id, cidr::text AS cidr, scope, agent_id, note, created_at, created_by`;
    return toEntry(row as EntryRow);
  }

  async remove(id: number): Promise<AllowlistEntry | null> {
    const [row] = await this.prisma.$queryRaw<EntryRow[]>`
      DELETE FROM allowlist_entries WHERE id = ${id} RETURNING id, cidr::text AS cidr, scope, agent_id, note, created_at, created_by`;
    return row ? toEntry(row) : null;
  }
}
