import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import { AGENT_PATH, CLOSE_CODES, MAX_FRAME_BYTES } from '@fleetban/protocol';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { AgentPresence, PRESENCE_TTL_MS } from '../agents/agent-presence';
import { AgentRevocations } from '../agents/agent-revocations';
import { AgentRepository } from '../agents/agent.repository';
import { AgentsService, type AgentIdentity } from '../agents/agents.service';
import { SERVER_TUNABLES, type ServerTunables } from '../app/server-tunables';
import { ServerState } from '../common/server-state';
import { BanFeedService } from '../fleet/ban-feed.service';
import { IngestService } from '../ingest/ingest.service';
import { LOGGER } from '../logging/logger';
import { ServerMetrics } from '../metrics/server-metrics';
import { AgentConnection } from './agent-connection';
import type { ConnectionDeps } from './connection-deps';
import { bearerToken } from './upgrade-auth';

type VerifyCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * The agents' WebSocket endpoint. Authentication happens in the upgrade (401 before any WebSocket exists);
 * messages are not routed through Nest's `{event, data}` handlers but decoded by @fleetban/protocol in
 * AgentConnection, since the protocol is a discriminated union on `type`.
 */
@WebSocketGateway({ path: AGENT_PATH, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
export class AgentGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  private readonly connections = new Set<AgentConnection>();
  private readonly identities = new WeakMap<IncomingMessage, AgentIdentity>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly deps: ConnectionDeps;
  private readonly log: Logger;

  constructor(
    private readonly agentsService: AgentsService,
    private readonly revocations: AgentRevocations,
    private readonly state: ServerState,
    private readonly presence: AgentPresence,
    agents: AgentRepository,
    ingest: IngestService,
    feed: BanFeedService,
    metrics: ServerMetrics,
    @Inject(SERVER_TUNABLES) private readonly tunables: ServerTunables,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'gateway' });
    this.deps = { ingest, feed, agents, metrics, tunables, log: this.log };
  }

  afterInit(server: WebSocketServer): void {
    // ws reads verifyClient from its options at each upgrade; the decorator's options cannot reach DI.
    server.options.verifyClient = (info: { req: IncomingMessage }, callback: VerifyCallback) => void this.verify(info.req, callback);
    void this.revocations.onRevoked((agentId) => this.closeAgent(agentId, 'revoked (notified)'));
    this.timers.push(setInterval(() => this.connections.forEach((c) => c.heartbeat()), this.tunables.heartbeatIntervalMs));
    this.timers.push(setInterval(() => void this.checkRevocations(), this.tunables.revocationPollMs));
    this.timers.push(setInterval(() => void this.markPresent(), PRESENCE_TTL_MS / 3));
    this.timers.forEach((timer) => timer.unref());
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const identity = this.identities.get(request);
    if (!identity) {
      socket.close(CLOSE_CODES.revoked, 'not authenticated');
      return;
    }
    const connection = new AgentConnection(socket, identity, this.deps, (closed) => {
      this.connections.delete(closed);
      if (![...this.connections].some((c) => c.agentId === closed.agentId)) void this.presence.clear(closed.agentId).catch(() => undefined);
    });
    this.connections.add(connection);
    void this.presence.mark(identity.id).catch(() => undefined);
    if (this.revocations.wasRecentlyRevoked(identity.id)) this.closeAgent(identity.id, 'revoked during the upgrade');
  }

  /** Tells every instance (through Redis) which agents are connected here; entries lapse if this instance dies. */
  private async markPresent(): Promise<void> {
    for (const agentId of new Set([...this.connections].map((c) => c.agentId))) await this.presence.mark(agentId).catch(() => undefined);
  }

  /** Graceful shutdown: refuse new agents, let connected ones finish their in-flight batches, then close them. */
  async drain(): Promise<void> {
    this.state.draining = true;
    await Promise.all([...this.connections].map((connection) => connection.drain(this.tunables.shutdownGraceMs)));
  }

  get connectedAgents(): number {
    return this.connections.size;
  }

  onApplicationShutdown(): void {
    this.timers.forEach((timer) => clearInterval(timer));
  }

  private async verify(request: IncomingMessage, callback: VerifyCallback): Promise<void> {
    if (this.state.draining) return callback(false, 503, 'Server shutting down');
    const token = bearerToken(request);
    if (!token) return callback(false, 401, 'Unauthorized');
    try {
      const identity = await this.agentsService.authenticate(token);
      if (!identity) {
        this.log.info({ remote: request.socket.remoteAddress }, 'refused an agent with an unknown or revoked token');
        return callback(false, 401, 'Unauthorized');
      }
      this.identities.set(request, identity);
      callback(true);
    } catch (error) {
      this.log.error({ err: error }, 'could not check an agent token');
      callback(false, 503, 'Service Unavailable');
    }
  }

  private closeAgent(agentId: number, why: string): void {
    for (const connection of this.connections) {
      if (connection.agentId !== agentId) continue;
      this.log.info({ agentId, why }, 'closing the connection of a revoked agent');
      connection.close(CLOSE_CODES.revoked, 'agent token revoked');
    }
  }

  private async checkRevocations(): Promise<void> {
    const ids = [...new Set([...this.connections].map((c) => c.agentId))];
    try {
      for (const id of await this.deps.agents.revokedAmong(ids)) this.closeAgent(id, 'revoked (poll)');
    } catch (error) {
      this.log.warn({ err: error }, 'could not check revocations');
    }
  }
}
