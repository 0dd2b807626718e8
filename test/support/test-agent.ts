import { decodeServerMessage, encodeAgentMessage, PROTOCOL_VERSION, type AgentMessage, type ServerMessage } from '@fleetban/protocol';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import WebSocket from 'ws';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Outcome of an upgrade attempt: the HTTP status when refused. */
export async function upgradeStatus(wsUrl: string, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', (error) => reject(error));
  });
}

/**
 * A minimal agent for tests: a real WebSocket client that validates what the server sends (with the same
 * protocol lib the agent uses) and lets a test wait for a given message type.
 */
export class TestAgent {
  readonly received: ServerMessage[] = [];
  readonly invalid: string[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private waiters: { type: string; resolve: (m: ServerMessage) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const decoded = decodeServerMessage(data);
      if (!decoded.ok) {
        this.invalid.push(data.toString().slice(0, 200));
        return;
      }
      this.received.push(decoded.message);
      this.waiters = this.waiters.filter((w) => {
        if (w.type !== decoded.message.type) return true;
        w.resolve(decoded.message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve((this.closeCode = code))));
  }

  static async connect(wsUrl: string, token: string, options: { maxPayload?: number } = {}): Promise<TestAgent> {
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, maxPayload: options.maxPayload });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return new TestAgent(socket);
  }

  /** Connects and completes the handshake. */
  static async join(wsUrl: string, token: string, hello: Partial<Extract<AgentMessage, { type: 'hello' }>> = {}): Promise<TestAgent> {
    const agent = await TestAgent.connect(wsUrl, token);
    const welcome = agent.next('welcome');
    agent.send({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'test', hostname: 'test-host', ...hello });
    await welcome;
    return agent;
  }

  send(message: AgentMessage): void {
    this.sendRaw(encodeAgentMessage(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** The next message of `type` received after this call. */
  next<T extends ServerMessage['type']>(type: T, timeoutMs = 5000): Promise<Of<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms; received: ${this.received.map((m) => m.type).join(', ')}`)), timeoutMs);
      this.waiters.push({ type, resolve: (m) => (clearTimeout(timer), resolve(m as Of<T>)) });
    });
  }

  /** Sends a batch and waits for its ack. */
  async sendBatch(batchId: string, events: SecurityEvent[], timeoutMs = 10_000): Promise<Of<'ack'>> {
    const ack = this.until((m): m is Of<'ack'> => m.type === 'ack' && m.batchId === batchId, timeoutMs);
    this.send({ type: 'events', batchId, events });
    return ack;
  }

  /** Waits for the first message (past or future) matching `predicate`. */
  async until<M extends ServerMessage>(predicate: (m: ServerMessage) => m is M, timeoutMs = 5000): Promise<M> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; received: ${this.received.map((m) => m.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

let counter = 0;
/** A valid event from `ip` (distinct session each time). */
export function makeEvent(ip: string, overrides: Partial<SecurityEvent> = {}): SecurityEvent {
  counter++;
  return {
    time: 1_764_400_000_000 + counter,
    type: 'InvalidPassword',
    failure: true,
    ip,
    port: 5060,
    transport: 'UDP',
    service: 'PJSIP',
    account: '1001',
    session: `call-${counter}`,
    localAddress: '192.0.2.1:5060',
    source: 'security',
    ...overrides,
  };
}

export const wsUrlOf = (httpUrl: string): string => `${httpUrl.replace(/^http/, 'ws')}/agent`;
