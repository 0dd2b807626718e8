import { Body, Delete, Get, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '../api/input-error';
import { AdminApi, BodyFrom } from '../api/openapi';
import { AgentDirectoryRepository } from './agent-directory.repository';
import { AgentPresence } from './agent-presence';
import { AgentsService } from './agents.service';

const addBody = z.object({ name: z.string().min(1, 'give the new agent a name, e.g. pbx-01') }).strict();

@AdminApi('agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly directory: AgentDirectoryRepository,
    private readonly presence: AgentPresence,
  ) {}

  @Get()
  async list() {
    const [agents, currentSeq] = await Promise.all([this.directory.list(), this.directory.latestBanSeq()]);
    const connected = await this.presence.connected(agents.map((a) => a.id));
    return { items: agents.map(({ id, ...agent }) => ({ ...agent, connected: connected.has(id), currentSeq })) };
  }

  @Post()
  @BodyFrom(addBody)
  async add(@Body() body: unknown) {
    const enrolled = await this.agents.add(parseInput(addBody, body).name);
    return { name: enrolled.agent.name, token: enrolled.token, serverUrl: enrolled.serverUrl, enrollCommand: enrolled.enrollCommand };
  }

  @Delete(':name')
  async revoke(@Param('name') name: string) {
    const agent = await this.agents.revoke(name);
    return { name: agent.name, revoked: true };
  }
}
