import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ROOT, runBin, type BinResult } from './server-instance';

export const AGENT_BIN = join(ROOT, 'bin', 'fleetban-agent.js');

/** Runs `fleetban-agent <args>` to completion. */
export const runAgentCommand = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<BinResult> => runBin(AGENT_BIN, args, env);

/** `fleetban-agent run --config FILE [...]` in the background; its output is kept for failure messages. */
export function startAgent(config: string, extra: string[] = []): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [AGENT_BIN, 'run', '--config', config, ...extra], { env: { ...process.env, FLEETBAN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The agent's `status --json`. */
export async function agentStatus(config: string): Promise<{ running: boolean; connected: boolean; bans: string[]; [key: string]: unknown }> {
  const result = await runAgentCommand(['status', '--config', config, '--json']);
  return JSON.parse(result.stdout) as { running: boolean; connected: boolean; bans: string[] };
}

/** A security log line as Asterisk 22 writes it for a failed REGISTER (InvalidAccountID). */
export function invalidAccountLine(ip: string, account: string, session: string, at = new Date()): string {
  const stamp = at.toISOString().replace('T', ' ').slice(0, 19);
  const tv = at.toISOString().replace('Z', '+0000');
  return `[${stamp}] SECURITY[14302] res_security_log.c: SecurityEvent="InvalidAccountID",EventTV="${tv}",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="${account}",SessionID="${session}",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/${ip}/5060",Module="res_pjsip",SessionTV="${tv}"\n`;
}
