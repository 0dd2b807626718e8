// Propagation benchmark: from the decisive event arriving at the server to the ban delta delivered to every one
// of 100 connected agents. The server (the built bin, role all: gateway, ingest and ban engine in one process)
// runs apart from this process, which holds the 100 simulated agents on real WebSockets.
// Run alone: `npx tsx bench/propagation/propagation.bench.ts` (after `npm run build`). Writes bench/results/propagation.json.
// Knobs: FLEETBAN_BENCH_AGENTS (100), FLEETBAN_BENCH_ROUNDS (30).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeServerMessage, encodeAgentMessage, type ServerMessage } from '@fleetban/protocol';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { percentile, prepareFleet, ROOT, startServer, teardownFleet } from '../support/bench-fleet';

const AGENTS = Number(process.env.FLEETBAN_BENCH_AGENTS ?? 100);
const ROUNDS = Number(process.env.FLEETBAN_BENCH_ROUNDS ?? 30);
const PORT = Number(process.env.FLEETBAN_BENCH_PORT ?? 18_432);

interface SimAgent {
  socket: WebSocket;
  onBan: (ip: string) => void;
}

async function connect(token: string, index: number, onBan: (agent: number, ip: string) => void): Promise<SimAgent> {
  const socket = new WebSocket(`ws://127.0.0.1:${PORT}/agent`, { headers: { authorization: `Bearer ${token}` } });
  const agent: SimAgent = { socket, onBan: (ip) => onBan(index, ip) };
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const decoded = decodeServerMessage(data);
      if (!decoded.ok) return;
      const message: ServerMessage = decoded.message;
      if (message.type === 'welcome') resolve();
      if (message.type === 'bans.delta') for (const ban of message.add) agent.onBan(ban.ip);
    });
    socket.once('open', () => socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'bench', hostname: `bench-${index}` })));
  });
  return agent;
}

const event = (ip: string, n: number, time: number): SecurityEvent => ({
  time,
  type: 'InvalidAccountID',
  failure: true,
  ip,
  port: 5060,
  transport: 'UDP',
  service: 'PJSIP',
  account: String(100 + n),
  session: `bench-${ip}-${n}`,
  localAddress: '192.0.2.10:5060',
  source: 'security',
});

async function main(): Promise<void> {
  const fleet = await prepareFleet('fleetban_bench_propagation', AGENTS, PORT);
  const server = await startServer(fleet, 'all');
  const pending = new Map<string, { sentAt: number; reached: Set<number>; done: (ms: number[]) => void; times: number[] }>();
  const agents: SimAgent[] = [];
  try {
    for (let i = 0; i < AGENTS; i++) {
      agents.push(
        await connect(fleet.tokens[i] as string, i, (agent, ip) => {
          const round = pending.get(ip);
          if (!round || round.reached.has(agent)) return;
          round.reached.add(agent);
          round.times.push(performance.now() - round.sentAt);
          if (round.reached.size === AGENTS) round.done(round.times);
        }),
      );
    }
    const sender = agents[0] as SimAgent;
    const allAgents: number[] = [];
    const perAgent: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ip = `198.51.${100 + Math.floor(round / 250)}.${(round % 250) + 1}`;
      const now = Date.now();
      // Two failures first (no ban), then the decisive third: the clock starts when it is sent.
      sender.socket.send(encodeAgentMessage({ type: 'events', batchId: `r${round}-a`, events: [event(ip, 0, now - 2000), event(ip, 1, now - 1000)] }));
      await new Promise((r) => setTimeout(r, 300));
      const times = await new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`round ${round}: the ban of ${ip} did not reach every agent within 10 s`)), 10_000);
        pending.set(ip, { sentAt: performance.now(), reached: new Set(), times: [], done: (t) => (clearTimeout(timer), resolve(t)) });
        sender.socket.send(encodeAgentMessage({ type: 'events', batchId: `r${round}-b`, events: [event(ip, 2, Date.now())] }));
      });
      allAgents.push(Math.max(...times));
      perAgent.push(...times);
    }
    const ms = (v: number) => Math.round(v * 10) / 10;
    const result = {
      command: 'npx tsx bench/propagation/propagation.bench.ts',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
      agents: AGENTS,
      rounds: ROUNDS,
      decisiveEventToEveryAgentMs: { p50: ms(percentile(allAgents, 50)), p99: ms(percentile(allAgents, 99)), max: ms(Math.max(...allAgents)) },
      decisiveEventToEachAgentMs: { p50: ms(percentile(perAgent, 50)), p99: ms(percentile(perAgent, 99)) },
      note: 'includes the ingest transaction, the evaluate job (BullMQ), the decision, the ban transaction and the fan-out',
      goal: { p99ServerSideMs: 50 },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'propagation.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const agent of agents) agent.socket.terminate();
    await teardownFleet(fleet, server);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`propagation benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
