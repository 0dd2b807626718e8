import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../spool/atomic-file';
import { isProcessAlive } from './process-alive';

/** What `fleetban-agent status` shows: written by the running agent to its state directory, read by the command. */
export interface AgentStatus {
  pid: number;
  startedAt: string;
  updatedAt: string;
  server: string;
  connected: boolean;
  connectedSince: string | null;
  lastError: string | null;
  dryRun: boolean;
  files: Array<{ path: string; offset: number; size: number | null; linesRead: number; lastError: string | null }>;
  parser: { events: number; ignored: number; rejected: Record<string, number> };
  spool: { events: number; bytes: number; inFlightBatches: number; dropped: number };
  /** Last ban change sequence applied to the firewall (or to the dry-run book). */
  appliedSeq: number;
  /** The IPs and CIDRs enforced (or that would be, in dry-run). */
  bans: string[];
  /** Bans the agent refused to enforce, and why (they cover one of its protected addresses). */
  refused: Array<{ ip: string; reason: string }>;
}

export const statusFile = (stateDir: string): string => join(stateDir, 'status.json');

export async function writeStatus(stateDir: string, status: AgentStatus): Promise<void> {
  await writeFileAtomic(statusFile(stateDir), JSON.stringify(status));
}

/** The last status written, with `running` and `connected` corrected when the agent process is gone. */
export async function readStatus(stateDir: string): Promise<(AgentStatus & { running: boolean }) | null> {
  let status: AgentStatus;
  try {
    status = JSON.parse(await readFile(statusFile(stateDir), 'utf8')) as AgentStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const running = isProcessAlive(status.pid);
  return { ...status, running, connected: running && status.connected };
}

