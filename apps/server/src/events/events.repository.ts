import { Injectable } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface StoredEvent {
  id: string;
  agentId: number;
  time: Date;
  type: string;
  failure: boolean;
  ip: string;
  port: number | null;
  transport: string | null;
  service: string | null;
  account: string | null;
  session: string | null;
  source: string;
}

export interface EventFilter {
  ip?: string;
  agentId?: number;
  type?: string;
  from?: Date;
  to?: Date;
}

/** The row as SQL returns it: a bigint id and the snake_case agent column. */
type EventRow = Omit<StoredEvent, 'id' | 'agentId'> & { id: bigint; agent_id: number };

/** Security events as admins query them: by address, agent, type and time; top attackers and accounts. */
@Injectable()
export class EventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async search(filter: EventFilter, limit: number, beforeId: bigint | null): Promise<StoredEvent[]> {
    const where = conditions(filter);
    if (beforeId !== null) where.push(Prisma.sql`id < ${beforeId}`);
    const rows = await this.prisma.$queryRaw<EventRow[]>`
      SELECT id, agent_id, time, type::text AS type, failure, host(ip) AS ip, port, transport, service, account, session, source::text AS source
      FROM security_events WHERE ${Prisma.join(where, ' AND ')} ORDER BY id DESC LIMIT ${limit}`;
    return rows.map(({ id, agent_id, ip, ...rest }) => ({ ...rest, id: String(id), agentId: agent_id, ip: normalizeCidr(ip, { strict: false }) ?? ip }));
  }

  async topAttackers(since: Date, limit: number): Promise<Array<{ ip: string; failures: number; agents: number; lastSeen: Date }>> {
    const rows = await this.prisma.$queryRaw<Array<{ ip: string; failures: bigint; agents: bigint; last_seen: Date }>>`
      SELECT host(ip) AS ip, count(*) AS failures, count(DISTINCT agent_id) AS agents, max(time) AS last_seen
      FROM security_events WHERE failure AND time >= ${since} GROUP BY ip ORDER BY failures DESC, ip LIMIT ${limit}`;
    return rows.map((row) => ({ ip: normalizeCidr(row.ip, { strict: false }) ?? row.ip, failures: Number(row.failures), agents: Number(row.agents), lastSeen: row.last_seen }));
  }

  async topAccounts(since: Date, limit: number): Promise<Array<{ account: string; failures: number; ips: number }>> {
    const rows = await this.prisma.$queryRaw<Array<{ account: string; failures: bigint; ips: bigint }>>`
      SELECT account, count(*) AS failures, count(DISTINCT ip) AS ips FROM security_events
      WHERE failure AND time >= ${since} AND account IS NOT NULL AND account <> '' GROUP BY account ORDER BY failures DESC, account LIMIT ${limit}`;
    return rows.map((row) => ({ account: row.account, failures: Number(row.failures), ips: Number(row.ips) }));
  }

  /** Failures of one IP (or network) by agent and by type, with first and last times. */
  async failureSummary(ip: string): Promise<{ total: number; byAgent: Map<number, number>; byType: Record<string, number>; firstSeen: Date | null; lastSeen: Date | null }> {
    const rows = await this.prisma.$queryRaw<Array<{ agent_id: number; type: string; n: bigint; first: Date; last: Date }>>`
      SELECT agent_id, type::text AS type, count(*) AS n, min(time) AS first, max(time) AS last FROM security_events
      WHERE failure AND ip <<= ${ip}::inet GROUP BY agent_id, type`;
    const byAgent = new Map<number, number>();
    const byType: Record<string, number> = {};
    let total = 0;
    let firstSeen: Date | null = null;
    let lastSeen: Date | null = null;
    for (const row of rows) {
      const n = Number(row.n);
      total += n;
      byAgent.set(row.agent_id, (byAgent.get(row.agent_id) ?? 0) + n);
      byType[row.type] = (byType[row.type] ?? 0) + n;
      if (firstSeen === null || row.first < firstSeen) firstSeen = row.first;
      if (lastSeen === null || row.last > lastSeen) lastSeen = row.last;
    }
    return { total, byAgent, byType, firstSeen, lastSeen };
  }

  /** fail2ban-client's "currently failed": IPs with failures since `since` (to be checked against active bans). */
  async failingIps(since: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ ip: string }>>`
      SELECT DISTINCT host(ip) AS ip FROM security_events WHERE failure AND time >= ${since} LIMIT ${limit}`;
    return rows.map((row) => normalizeCidr(row.ip, { strict: false }) ?? row.ip);
  }

  async countFailures(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM security_events WHERE failure`;
    return Number(row?.n ?? 0);
  }
}

function conditions(filter: EventFilter): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.ip !== undefined) where.push(Prisma.sql`ip <<= ${filter.ip}::inet`);
  if (filter.agentId !== undefined) where.push(Prisma.sql`agent_id = ${filter.agentId}`);
  if (filter.type !== undefined) where.push(Prisma.sql`type = ${filter.type}::"SecurityEventType"`);
  if (filter.from !== undefined) where.push(Prisma.sql`time >= ${filter.from}`);
  if (filter.to !== undefined) where.push(Prisma.sql`time <= ${filter.to}`);
  return where;
}
