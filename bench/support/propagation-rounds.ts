// Propagation rounds over simulated agents on real WebSockets: from the decisive event arriving at a server to
// the ban delta delivered to every connected agent. Agents may be spread over several server instances (the
// delta then crosses Redis pub/sub); the sender is agent 0, on the first instance.
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeServerMessage, encodeAgentMessage, type ServerMessage } from '@fleetban/protocol';
import type { SecurityEvent } from '@fleetban/asterisk-log';

export interface PropagationTimes {
  /** Per round, the time until the last agent had the delta (ms). */
  toEveryAgent: number[];
  /** Every agent's time in every round (ms). */
  toEachAgent: number[];
}

async function connect(wsUrl: string, token: string, index: number, onBan: (agent: number, ip: string) => void): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${index}: no welcome within 60 s`)), 60_000);
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const decoded = decodeServerMessage(data);
      if (!decoded.ok) return;
      const message: ServerMessage = decoded.message;
      if (message.type === 'welcome') {
        clearTimeout(timer);
        resolve();
      }
      if (message.type === 'bans.delta') for (const ban of message.add) onBan(index, ban.ip);
    });
    socket.once('open', () => socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'bench', hostname: `bench-${index}` })));
  });
  return socket;
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

/**
 * Connects one agent per token (agent i to wsUrls[i % wsUrls.length]), then runs `warmup` unmeasured rounds and
 * `rounds` measured ones: two failures of a new IP (no ban yet), then the decisive third, timed until every agent has
 * the delta; 10 s per round at most. Warm-up rounds keep the first calls of this process (JIT, the decoder of 100
 * sockets: 10-45 ms added to each of the first ~20 rounds, seen against the server's own send times) out of the
 * server's figures. `ipBlock` (0-99) keeps the IPs of separate calls against one database apart.
 */
export async function measurePropagation(wsUrls: string[], tokens: string[], rounds: number, ipBlock = 0, warmup = 0): Promise<PropagationTimes> {
  const pending = new Map<string, { sentAt: number; reached: Set<number>; done: () => void; times: number[] }>();
  const sockets: WebSocket[] = [];
  const onBan = (agent: number, ip: string): void => {
    const round = pending.get(ip);
    if (!round || round.reached.has(agent)) return;
    round.reached.add(agent);
    round.times.push(performance.now() - round.sentAt);
    if (round.reached.size === tokens.length) round.done();
  };
  try {
    for (const [i, token] of tokens.entries()) sockets.push(await connect(wsUrls[i % wsUrls.length] as string, token, i, onBan));
    const sender = sockets[0] as WebSocket;
    const result: PropagationTimes = { toEveryAgent: [], toEachAgent: [] };
    for (let round = 0; round < warmup + rounds; round++) {
      const ip = `198.51.${100 + ipBlock + Math.floor(round / 250)}.${(round % 250) + 1}`;
      const now = Date.now();
      sender.send(encodeAgentMessage({ type: 'events', batchId: `b${ipBlock}-r${round}-a`, events: [event(ip, 0, now - 2000), event(ip, 1, now - 1000)] }));
      await new Promise((r) => setTimeout(r, 300));
      const times = await new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`round ${round}: the ban of ${ip} did not reach every agent within 10 s`)), 10_000);
        const entry = { sentAt: performance.now(), reached: new Set<number>(), times: [] as number[], done: () => (clearTimeout(timer), resolve(entry.times)) };
        pending.set(ip, entry);
        sender.send(encodeAgentMessage({ type: 'events', batchId: `b${ipBlock}-r${round}-b`, events: [event(ip, 2, Date.now())] }));
      });
      if (round < warmup) continue;
      result.toEveryAgent.push(Math.max(...times));
      result.toEachAgent.push(...times);
    }
    return result;
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}
