// The rest of a fleet beside the real agents: simulated agents connected and idle in a separate process
// (bench/connections/idle-agents.ts), so every ban delta is fanned out to all of them too.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { IdlePlan } from '../connections/idle-agents';
import { ROOT, type BenchFleet } from '../support/bench-fleet';

/** Connects the fleet's agents `firstIndex` to `firstIndex + count - 1`; resolves once every one was welcomed. */
export async function startSimulatedAgents(fleet: BenchFleet, firstIndex: number, count: number): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'connections', 'idle-agents.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin.end(); // the generator closes its connections and exits
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // Bounded: the generator gives up on its own after holdMs.
  const plan: IdlePlan = { wsUrl: `ws://127.0.0.1:${fleet.port}/agent`, tokens: fleet.tokens.slice(firstIndex, firstIndex + count), firstIndex, holdMs: 60 * 60_000 };
  child.stdin.write(`${JSON.stringify(plan)}\n`);
  const first = await lines.next();
  const outcome = first.done ? null : (JSON.parse(first.value) as { connected: number; failed: number; firstError?: string });
  if (outcome?.connected !== count) {
    await stop();
    throw new Error(`simulated agents: ${outcome ? `${outcome.connected} of ${count} connected (${outcome.firstError ?? ''})` : 'the generator exited before connecting'}`);
  }
  return { stop };
}
