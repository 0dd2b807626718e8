import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../common/domain-error';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { LOGGER } from '../logging/logger';
import { AgentRevocations } from './agent-revocations';
import { AgentRepository, type AgentRecord } from './agent.repository';
import { generateAgentToken, hashAgentToken, looksLikeAgentToken } from './agent-token';

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const DEFAULT_AGENT_CONFIG_FILE = '/etc/fleetban/agent.yaml';

export interface EnrolledAgent {
  agent: AgentRecord;
  /** Shown once; only its hash is stored. */
  token: string;
  serverUrl: string;
  enrollCommand: string;
}

/** The agent authenticated by an upgrade request. */
export interface AgentIdentity {
  id: number;
  name: string;
}

@Injectable()
export class AgentsService {
  private readonly log: Logger;

  constructor(
    private readonly agents: AgentRepository,
    private readonly revocations: AgentRevocations,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'agents' });
  }

  async add(name: string): Promise<EnrolledAgent> {
    if (!AGENT_NAME.test(name)) {
      throw new DomainError('invalid_agent_name', `agent name ${JSON.stringify(name)} is invalid: use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    const token = generateAgentToken();
    const agent = await this.agents.create(name, hashAgentToken(token));
    if (!agent) throw new DomainError('agent_exists', `an agent named ${name} already exists: pick another name, or revoke it first and enroll under a new name`);
    this.log.info({ agent: agent.name, agentId: agent.id }, 'agent created');
    const serverUrl = this.config.publicUrl;
    return { agent, token, serverUrl, enrollCommand: `npx fleetban-agent enroll --server ${serverUrl} --token ${token} --config ${DEFAULT_AGENT_CONFIG_FILE}` };
  }

  /** Revokes the agent's token and closes its connection on whichever instance holds it. */
  async revoke(name: string, now = new Date()): Promise<AgentRecord> {
    const agent = await this.agents.revoke(name, now);
    if (!agent) throw new DomainError('agent_not_found', `no agent named ${name}`);
    try {
      await this.revocations.publish(agent.id);
    } catch (error) {
      // The revocation is stored; every instance's periodic check still closes the connection.
      this.log.warn({ agentId: agent.id, err: error }, 'could not broadcast the revocation through Redis; connected instances will notice it at their next check');
    }
    this.log.info({ agent: agent.name, agentId: agent.id }, 'agent revoked');
    return agent;
  }

  /** The agent a token belongs to, or null when the token is unknown or revoked. */
  async authenticate(token: string): Promise<AgentIdentity | null> {
    if (!looksLikeAgentToken(token)) return null;
    const agent = await this.agents.findByTokenHash(hashAgentToken(token));
    if (!agent || agent.revoked || this.revocations.wasRecentlyRevoked(agent.id)) return null;
    return { id: agent.id, name: agent.name };
  }
}
