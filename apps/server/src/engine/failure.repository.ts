import { Injectable } from '@nestjs/common';
import type { Failure } from '@fleetban/policy';
import { PgPool } from '../database/pg-pool';

/** A failure with what the window needs to stay exact: its row id (idempotent adds) and when it was stored. */
export interface StoredFailure extends Failure {
  id: string;
  receivedAt: number;
}

interface FailureRow {
  /** int8, which plain pg leaves as text. */
  id: string;
  time: Date;
  received_at: Date;
  agent_id: number;
  type: Failure['type'];
  session: string | null;
  account: string | null;
}

/** The ban engine's reading of stored security events: the failures of the IPs it evaluates. */
@Injectable()
export class FailureRepository {
  constructor(private readonly pg: PgPool) {}

  /**
   * Failures of each IP that happened at or after `since` (epoch ms) and were stored after that IP's `storedAfter`,
   * in one query; keyed by the IPs as given. On every evaluation, so on the way from the decisive event to the ban:
   * plain pg (see PgPool).
   */
  async forIps(windows: ReadonlyArray<{ ip: string; storedAfter: number }>, since: number): Promise<Map<string, StoredFailure[]>> {
    const { rows } = await this.pg.pool.query<FailureRow & { key: string }>({
      name: 'fleetban-failures-for-ips',
      text: `SELECT w.ip AS key, e.id, e.time, e.received_at, e.agent_id, e.type, e.session, e.account
      FROM unnest($1::text[], $2::float8[]) AS w(ip, stored_after)
      CROSS JOIN LATERAL (
        SELECT id, time, received_at, agent_id, type::text AS type, session, account FROM security_events
        WHERE ip = w.ip::inet AND time >= $3 AND received_at > to_timestamp(w.stored_after / 1000.0) AND failure
        ORDER BY time, id LIMIT 100000) e`,
      values: [windows.map((w) => w.ip), windows.map((w) => w.storedAfter), new Date(since)],
    });
    const byIp = new Map<string, StoredFailure[]>();
    for (const row of rows) {
      const list = byIp.get(row.key) ?? [];
      if (list.length === 0) byIp.set(row.key, list);
      list.push(toStoredFailure(row, row.key));
    }
    return byIp;
  }
}

const toStoredFailure = (row: FailureRow, ip: string): StoredFailure => ({
  id: row.id,
  ip,
  time: row.time.getTime(),
  receivedAt: row.received_at.getTime(),
  agentId: String(row.agent_id),
  type: row.type,
  session: row.session,
  account: row.account,
});
