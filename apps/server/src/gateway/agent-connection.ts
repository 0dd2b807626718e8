import {
  CLOSE_CODES,
  decodeAgentMessage,
  MAX_EVENTS_PER_BATCH,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type AgentMessage,
  type Frame,
  type HelloMessage,
  type ProtocolError,
  type ServerMessage,
} from '@fleetban/protocol';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { AgentIdentity } from '../agents/agents.service';
import { DomainError } from '../common/domain-error';
import { encodeForSubscriber, type BanSubscriber } from '../fleet/ban-subscriber';
import { BatchQueue, type QueuedBatch } from './batch-queue';
import type { ConnectionDeps } from './connection-deps';

const ERROR_WINDOW_MS = 60_000;
/** A slow agent closed with a close frame gets this long to read it before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** One authenticated agent connection: handshake, message dispatch, ordered ingest, heartbeat, backpressure. */
export class AgentConnection implements BanSubscriber {
  readonly agentId: number;
  private hello: HelloMessage | undefined;
  private alive = true;
  private closed = false;
  private errors: number[] = [];
  private readonly batches: BatchQueue;
  private readonly handshakeTimer: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(
    private readonly socket: WebSocket,
    readonly identity: AgentIdentity,
    private readonly deps: ConnectionDeps,
    private readonly onClosed: (connection: AgentConnection) => void,
  ) {
    this.agentId = identity.id;
    this.log = deps.log.child({ agentId: identity.id, agent: identity.name });
    this.batches = new BatchQueue(deps.tunables.maxInFlightBatches, {
      process: (batch) => this.store(batch),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    this.handshakeTimer = setTimeout(() => this.fail({ code: 'hello_required', message: `no hello within ${deps.tunables.handshakeTimeoutMs} ms` }, CLOSE_CODES.handshakeTimeout), deps.tunables.handshakeTimeoutMs);
    socket.on('message', (data: Frame) => this.received(data));
    socket.on('pong', () => (this.alive = true));
    socket.on('error', (error) => this.log.warn({ err: error }, 'agent socket error'));
    socket.on('close', (code: number) => this.cleanUp(code));
  }

  send(message: ServerMessage): boolean {
    return this.sendEncoded(encodeForSubscriber(message));
  }

  /** Sends a message encoded once for many agents (a ban delta), as the text frame `send` would make of it. */
  sendEncoded(frame: Buffer): boolean {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    if (this.socket.bufferedAmount > this.deps.tunables.maxBufferedBytes) {
      this.log.warn({ buffered: this.socket.bufferedAmount }, 'agent reads too slowly; closing it');
      this.close(CLOSE_CODES.tooSlow, 'send buffer full: the agent reads too slowly');
      return false;
    }
    this.socket.send(frame, { binary: false });
    return true;
  }

  /** Heartbeat tick: terminate when the previous ping got no pong, else ping again. */
  heartbeat(): void {
    if (!this.alive) {
      this.log.info('no pong since the last heartbeat; terminating the connection');
      this.socket.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** For graceful shutdown: read nothing more, finish the batches already read (and ack them), then close. */
  async drain(graceMs: number): Promise<void> {
    this.socket.pause();
    await Promise.race([this.batches.idle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  private received(data: Frame): void {
    this.alive = true;
    if (this.closed) return;
    const decoded = decodeAgentMessage(data);
    if (!decoded.ok) {
      this.protocolError(decoded.error);
      return;
    }
    if (decoded.message.type === 'hello') this.greet(decoded.message);
    else if (!this.hello) this.fail({ code: 'hello_required', message: `${decoded.message.type} before hello: send hello first` }, CLOSE_CODES.protocolViolation);
    else this.dispatch(decoded.message);
  }

  private dispatch(message: Exclude<AgentMessage, HelloMessage>): void {
    switch (message.type) {
      case 'events':
        if (!this.batches.offer({ message, receivedAt: performance.now() })) {
          this.deps.metrics.batches.inc({ result: 'refused' });
          this.sendError({ code: 'too_many_in_flight', message: `more than ${2 * this.deps.tunables.maxInFlightBatches} batches unacknowledged: wait for acks before sending more`, batchId: message.batchId });
        }
        return;
      case 'applied':
        this.deps.agents.recordApplied(this.agentId, message.seq, new Date()).catch((error) => this.log.warn({ err: error }, 'could not record the applied sequence'));
        return;
      case 'refused':
        this.log.warn({ seq: message.seq, refused: message.bans.slice(0, 20), count: message.bans.length }, 'agent refused to enforce bans');
        this.deps.agents.recordRefused(this.agentId, message, new Date()).catch((error) => this.log.warn({ err: error }, 'could not record refused bans'));
        return;
      case 'ping':
        this.send({ type: 'pong' });
        return;
    }
  }

  private greet(hello: HelloMessage): void {
    if (this.hello) {
      this.protocolError({ code: 'hello_required', message: 'hello was already received on this connection' });
      return;
    }
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(hello.protocol)) {
      const message = `protocol version ${hello.protocol} is not supported; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}: upgrade fleetban-agent (or the server) so both share a version`;
      this.fail({ code: 'unsupported_version', message }, CLOSE_CODES.unsupportedVersion);
      return;
    }
    clearTimeout(this.handshakeTimer);
    this.hello = hello;
    this.deps.metrics.agentsConnected.inc();
    const { tunables } = this.deps;
    this.send({
      type: 'welcome',
      protocol: Math.min(hello.protocol, PROTOCOL_VERSION),
      agentId: String(this.agentId),
      name: this.identity.name,
      config: { maxEventsPerBatch: MAX_EVENTS_PER_BATCH, maxInFlightBatches: tunables.maxInFlightBatches, heartbeatIntervalMs: tunables.heartbeatIntervalMs },
    });
    this.log.info({ hostname: hello.hostname, agentVersion: hello.agentVersion, lastBanSeq: hello.lastBanSeq ?? 0 }, 'agent connected');
    const report = { hostname: hello.hostname, version: hello.agentVersion, files: hello.files, spoolBacklog: hello.spoolBacklog };
    this.deps.agents.recordHello(this.agentId, report, new Date()).catch((error) => this.log.warn({ err: error }, 'could not record hello'));
    this.deps.feed.attach(this, hello.lastBanSeq).catch((error) => {
      this.log.error({ err: error }, 'could not bring the agent up to date with bans; closing so it reconnects');
      this.sendError({ code: 'internal', message: 'could not read the ban log; reconnect later' });
      this.close(1011, 'ban sync failed');
    });
  }

  private async store(batch: QueuedBatch): Promise<void> {
    const { batchId, events } = batch.message;
    try {
      const result = await this.deps.ingest.store(this.agentId, batchId, events);
      this.send(result.duplicate ? { type: 'ack', batchId, duplicate: true } : { type: 'ack', batchId });
      this.deps.metrics.ingestLatency.observe((performance.now() - batch.receivedAt) / 1000);
    } catch (error) {
      this.deps.metrics.batches.inc({ result: 'failed' });
      if (error instanceof DomainError) this.log.info({ batchId, code: error.code }, error.message);
      else this.log.error({ err: error, batchId }, 'could not store a batch; the agent will resend it');
      this.sendError({ code: 'internal', message: 'the batch was not stored (database error); resend it later', batchId });
    }
  }

  private sendError(error: ProtocolError): void {
    this.deps.metrics.protocolErrors.inc({ code: error.code });
    this.send({ type: 'error', ...error });
  }

  /** Reports a bad message; too many within a minute close the connection. */
  private protocolError(error: ProtocolError): void {
    this.sendError(error);
    const now = Date.now();
    this.errors = this.errors.filter((at) => now - at < ERROR_WINDOW_MS);
    this.errors.push(now);
    if (this.errors.length > this.deps.tunables.maxProtocolErrorsPerMinute) {
      this.log.warn({ lastError: error.code }, 'too many protocol errors; closing the connection');
      this.close(CLOSE_CODES.protocolViolation, 'too many protocol errors');
    }
  }

  private fail(error: ProtocolError, closeCode: number): void {
    this.sendError(error);
    this.close(closeCode, error.message.slice(0, 120));
  }

  private cleanUp(code: number): void {
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.deps.feed.detach(this);
    if (this.hello) this.deps.metrics.agentsConnected.dec();
    this.log.info({ code }, 'agent disconnected');
    this.onClosed(this);
  }
}
