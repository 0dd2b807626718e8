// The attack of the decision benchmark, in its own process: `failuresPerIp` failed logins from each of `ips`
// distinct addresses, spread over the fleet's agents (failure k of address i comes from agent (i + k) mod agents)
// and sent pass after pass, so an address reaches its third failure only after every address had its second.
// Each agent pipelines up to `inflight` unacknowledged batches. Prints one JSON line: counts and epoch-ms times.
import WebSocket from 'ws';
import { encodeAgentMessage, PROTOCOL_VERSION } from '@fleetban/protocol';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { runGenerator } from '../support/bench-process';

export interface FloodPlan {
  wsUrl: string;
  tokens: string[];
  /** Addresses are `${prefix}.${i >> 8}.${i & 255}`: a /16 per flood, so floods never share an attacker. */
  prefix: string;
  ips: number;
  failuresPerIp: number;
  batchSize: number;
  inflight: number;
  runId: string;
}

export interface FloodReport {
  events: number;
  batches: number;
  errors: number;
  /** Epoch ms: the first batch sent, and the last ack received. */
  firstSentAt: number;
  lastAckAt: number;
}

const FLOOD_TIMEOUT_MS = 120_000;

export const floodIp = (prefix: string, i: number): string => `${prefix}.${i >> 8}.${i & 255}`;

/** The events agent `agent` sends, in sending order. */
function eventsOf(plan: FloodPlan, agent: number, now: number): SecurityEvent[] {
  const agents = plan.tokens.length;
  const events: SecurityEvent[] = [];
  for (let k = 0; k < plan.failuresPerIp; k++) {
    for (let i = 0; i < plan.ips; i++) {
      if ((i + k) % agents !== agent) continue;
      events.push({
        time: now - (plan.failuresPerIp - k) * 1000,
        type: k % 2 === 0 ? 'InvalidAccountID' : 'ChallengeResponseFailed',
        failure: true,
        ip: floodIp(plan.prefix, i),
        port: 5060,
        transport: 'UDP',
        service: 'PJSIP',
        account: String(1000 + k),
        session: `flood-${plan.runId}-${i}-${k}`,
        localAddress: '192.0.2.1:5060',
        source: 'security',
      });
    }
  }
  return events;
}

async function runAgent(plan: FloodPlan, index: number, events: SecurityEvent[], report: FloodReport): Promise<void> {
  const socket = new WebSocket(plan.wsUrl, { headers: { authorization: `Bearer ${plan.tokens[index]}` }, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const unacked = new Set<string>();
  let wake: (() => void) | undefined;
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; batchId?: string };
    if (message.type === 'ack' && message.batchId && unacked.delete(message.batchId)) {
      report.batches++;
      report.lastAckAt = Date.now();
    } else if (message.type === 'error') {
      report.errors++;
    }
    wake?.();
  });
  socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'bench', hostname: `bench-${index}` }));
  const deadline = Date.now() + FLOOD_TIMEOUT_MS;
  for (let at = 0, seq = 0; at < events.length; at += plan.batchSize, seq++) {
    while (unacked.size >= plan.inflight && Date.now() < deadline) await new Promise<void>((resolve) => (wake = resolve));
    const batchId = `${plan.runId}-${index}-${seq}`;
    unacked.add(batchId);
    report.firstSentAt ||= Date.now();
    const batch = events.slice(at, at + plan.batchSize);
    socket.send(encodeAgentMessage({ type: 'events', batchId, events: batch }));
    report.events += batch.length;
  }
  while (unacked.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (unacked.size > 0) throw new Error(`agent ${index}: ${unacked.size} batches unacknowledged after ${FLOOD_TIMEOUT_MS} ms`);
  socket.close();
}

export async function flood(plan: FloodPlan): Promise<FloodReport> {
  const now = Date.now();
  const report: FloodReport = { events: 0, batches: 0, errors: 0, firstSentAt: 0, lastAckAt: 0 };
  const perAgent = plan.tokens.map((_, agent) => eventsOf(plan, agent, now));
  await Promise.all(perAgent.map((events, agent) => runAgent(plan, agent, events, report)));
  return report;
}

if (require.main === module) runGenerator('flood generator', flood);
