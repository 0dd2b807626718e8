// CPU time actually spent by the server process and by the PostgreSQL backends serving its database, so the
// benchmark reports a cost per event that does not depend on what else loads the machine.
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** utime + stime of a process, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Backends connected to `database`, by pid. */
export async function backendPids(adminUrl: string, database: string): Promise<number[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** Starts measuring; `stop()` returns the CPU ms used since by the server and by the database's backends. */
export async function meterCpu(serverPid: number, adminUrl: string, database: string): Promise<{ stop: () => Promise<{ serverMs: number; postgresMs: number }> }> {
  const serverStart = processCpuMs(serverPid);
  const backendStart = new Map((await backendPids(adminUrl, database)).map((pid) => [pid, processCpuMs(pid)]));
  return {
    stop: async () => {
      const pids = await backendPids(adminUrl, database);
      const postgresMs = pids.reduce((sum, pid) => sum + processCpuMs(pid) - (backendStart.get(pid) ?? 0), 0);
      return { serverMs: processCpuMs(serverPid) - serverStart, postgresMs };
    },
  };
}
