// Idle simulated agents in their own process: reads a plan (one JSON line on stdin), connects every agent
// (hello, welcome), prints {"connected", "failed"}, then holds the connections, answering the server's pings,
// until stdin closes or `holdMs` passes, and exits. Bounded in count (the plan's tokens) and in time.
import { createInterface } from 'node:readline';
import type WebSocket from 'ws';
import { connectAgent } from '../support/agent-socket';

export interface IdlePlan {
  wsUrl: string;
  tokens: string[];
  /** Names the agents bench-<firstIndex + i>, as prepareFleet does. */
  firstIndex: number;
  localAddress?: string;
  holdMs: number;
}

const WAVE = 50;

async function connectAll(plan: IdlePlan): Promise<{ sockets: WebSocket[]; failed: number; firstError?: string }> {
  const sockets: WebSocket[] = [];
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < plan.tokens.length; i += WAVE) {
    const wave = plan.tokens.slice(i, i + WAVE).map((token, j) => connectAgent({ wsUrl: plan.wsUrl, token, hostname: `bench-${plan.firstIndex + i + j}`, localAddress: plan.localAddress }));
    for (const outcome of await Promise.allSettled(wave)) {
      if (outcome.status === 'fulfilled') sockets.push(outcome.value);
      else {
        failed++;
        firstError ??= String(outcome.reason);
      }
    }
  }
  return { sockets, failed, firstError };
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  const plan = JSON.parse(first) as IdlePlan;
  const { sockets, failed, firstError } = await connectAll(plan);
  let closedByServer = 0;
  for (const socket of sockets) socket.once('close', () => closedByServer++);
  process.stdout.write(`${JSON.stringify({ connected: sockets.length, failed, firstError })}\n`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, plan.holdMs);
    lines.once('close', () => (clearTimeout(timer), resolve()));
  });
  const dropped = closedByServer;
  for (const socket of sockets) socket.close(1000, 'bench over');
  process.stdout.write(`${JSON.stringify({ closedByServerWhileIdle: dropped })}\n`);
  setTimeout(() => process.exit(0), 2000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`idle agents failed: ${String(error)}\n`);
  process.exit(1);
});
