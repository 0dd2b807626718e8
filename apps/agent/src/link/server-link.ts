import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import {
  AGENT_PATH,
  CLOSE_CODES,
  MAX_SERVER_FRAME_BYTES,
  decodeServerMessage,
  encodeAgentMessage,
  type AgentMessage,
  type HelloMessage,
  type ServerMessage,
  type WelcomeMessage,
} from '@fleetban/protocol';
import { Backoff } from './backoff';

export interface ServerLinkOptions {
  url: string;
  token: string;
  caFile?: string;
  /** Builds the hello message at each (re)connection: lastBanSeq and spool backlog change over time. */
  hello: () => Omit<HelloMessage, 'type'>;
  /** A connection that has received nothing (not even a ping) for this long is presumed dead and replaced. */
  deadAfterMs?: number;
  log: LinkLog;
}

export interface LinkLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LinkHandlers {
  /** The server accepted the hello: the link is up. */
  onWelcome(welcome: WelcomeMessage): void;
  /** Every message after welcome (acks, bans, errors). */
  onMessage(message: Exclude<ServerMessage, WelcomeMessage>): void;
  /** The link went down; it reconnects by itself. */
  onDown(reason: string): void;
}

/** `https://host:8420` or `wss://host:8420/` -> `wss://host:8420/agent`. */
export function agentEndpoint(base: string): string {
  const url = new URL(base);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = url.pathname.replace(/\/+$/, '') + AGENT_PATH;
  return url.toString();
}

/**
 * The agent's one WebSocket to the server: authenticates with its token, says hello, and keeps the link up
 * with jittered exponential backoff. A revoked or refused token keeps retrying slowly (the host stays protected
 * by the bans it already has) and says loudly what to do.
 */
export class ServerLink {
  private socket: WebSocket | null = null;
  private welcomed = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private deadTimer: NodeJS.Timeout | null = null;
  private readonly backoff = new Backoff();
  private readonly endpoint: string;
  private readonly ca: Buffer | undefined;
  lastError: string | null = null;
  connectedSince: number | null = null;

  constructor(
    private readonly options: ServerLinkOptions,
    private readonly handlers: LinkHandlers,
  ) {
    this.endpoint = agentEndpoint(options.url);
    this.ca = options.caFile ? readFileSync(options.caFile) : undefined;
  }

  get connected(): boolean {
    return this.welcomed && this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Sends when the link is up; returns false (and sends nothing) otherwise. */
  send(message: AgentMessage): boolean {
    if (!this.connected || !this.socket) return false;
    this.socket.send(encodeAgentMessage(message));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.deadTimer) clearTimeout(this.deadTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'agent stopping');
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000).unref();
    });
  }

  private connect(): void {
    const socket = new WebSocket(this.endpoint, {
      headers: { authorization: `Bearer ${this.options.token}` },
      maxPayload: MAX_SERVER_FRAME_BYTES,
      handshakeTimeout: 10_000,
      ...(this.ca ? { ca: this.ca } : {}),
    });
    this.socket = socket;
    this.welcomed = false;
    socket.on('open', () => {
      this.touch();
      socket.send(encodeAgentMessage({ type: 'hello', ...this.options.hello() }));
    });
    socket.on('ping', () => this.touch());
    socket.on('message', (data: WebSocket.RawData) => this.receive(data));
    socket.on('unexpected-response', (_req, res) => {
      const advice = res.statusCode === 401 ? 'the server refused this agent\'s token: it was revoked or mistyped; run `fleetban-agent enroll` with a new token' : 'check the server URL';
      this.lastError = `HTTP ${res.statusCode} on connect: ${advice}`;
      socket.terminate();
    });
    socket.on('error', (error) => {
      this.lastError = error.message;
    });
    socket.on('close', (code, reason) => this.closed(code, reason.toString()));
  }

  private receive(data: WebSocket.RawData): void {
    this.touch();
    const decoded = decodeServerMessage(Array.isArray(data) ? data : (data as Uint8Array));
    if (!decoded.ok) {
      this.options.log.warn({ code: decoded.error.code, detail: decoded.error.message }, 'ignoring a message from the server that this agent cannot read; is the agent older than the server?');
      return;
    }
    const message = decoded.message;
    if (message.type === 'welcome') {
      this.welcomed = true;
      this.connectedSince = Date.now();
      this.lastError = null;
      this.backoff.reset();
      this.options.log.info({ agentId: message.agentId, name: message.name, endpoint: this.endpoint }, 'connected to the server');
      this.handlers.onWelcome(message);
      return;
    }
    if (message.type === 'error') this.lastError = `${message.code}: ${message.message}`;
    this.handlers.onMessage(message);
  }

  private touch(): void {
    if (this.deadTimer) clearTimeout(this.deadTimer);
    const socket = this.socket;
    this.deadTimer = setTimeout(() => {
      this.options.log.warn({ endpoint: this.endpoint }, 'no sign of life from the server: reconnecting');
      socket?.terminate();
    }, this.options.deadAfterMs ?? 75_000);
    this.deadTimer.unref();
  }

  private closed(code: number, reason: string): void {
    if (this.deadTimer) clearTimeout(this.deadTimer);
    const wasUp = this.welcomed;
    this.welcomed = false;
    this.connectedSince = null;
    if (code === CLOSE_CODES.revoked) this.lastError = 'this agent was revoked on the server: enroll it again with a new token (`fleetban-server agent add`)';
    else if (code === CLOSE_CODES.unsupportedVersion) this.lastError = `the server does not speak this agent's protocol: ${reason || 'upgrade the agent'}`;
    if (wasUp) this.handlers.onDown(this.lastError ?? `closed (${code})`);
    if (this.stopped) return;
    const delay = code === CLOSE_CODES.revoked || code === CLOSE_CODES.unsupportedVersion ? 60_000 : this.backoff.next();
    this.options.log.warn({ code, reason, error: this.lastError, retryInMs: delay }, 'link to the server is down; bans already applied stay enforced');
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }
}
