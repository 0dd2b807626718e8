import { Body, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import type { ApiRequest } from '../api/api-request';
import { InputError, parseInput } from '../api/input-error';
import { AdminApi, BodyFrom } from '../api/openapi';
import { toBanView } from '../bans/ban.view';
import { DomainError } from '../common/domain-error';
import type { AllowlistEntry } from './allowlist-entry';
import { AllowlistService } from './allowlist.service';

const addBody = z.object({ cidr: z.string().min(1, 'give the IP address or CIDR to allow'), agent: z.string().min(1).optional(), note: z.string().max(500).optional() }).strict();

@AdminApi('allowlist')
export class AllowlistController {
  constructor(
    private readonly allowlist: AllowlistService,
    private readonly agents: AgentDirectoryRepository,
  ) {}

  @Get()
  async list() {
    const names = await this.agents.names();
    return { items: (await this.allowlist.list()).map((entry) => view(entry, names)) };
  }

  @Post()
  @BodyFrom(addBody)
  async add(@Body() body: unknown, @Req() request: ApiRequest) {
    const input = parseInput(addBody, body);
    let agentId: number | null = null;
    if (input.agent !== undefined) {
      agentId = await this.agents.idByName(input.agent);
      if (agentId === null) throw new DomainError('agent_not_found', `no agent named "${input.agent}"; \`fleetban agents\` lists them`);
    }
    const { entry, lifted } = await this.allowlist.add({ cidr: input.cidr, agentId, note: input.note ?? null }, request.principal?.name ?? null);
    const names = await this.agents.names();
    return { entry: view(entry, names), lifted: lifted.map((ban) => toBanView(ban, names)) };
  }

  @Delete(':id')
  async remove(@Param('id') id: string, @Req() request: ApiRequest) {
    if (!/^\d{1,9}$/.test(id)) throw new InputError(`allowlist entry id "${id}" is not a number`, 'id');
    return view(await this.allowlist.remove(Number(id), request.principal?.name ?? null), await this.agents.names());
  }
}

function view(entry: AllowlistEntry, names: ReadonlyMap<number, string>) {
  return { id: entry.id, cidr: entry.cidr, scope: entry.scope, agent: entry.agentId === null ? null : (names.get(entry.agentId) ?? String(entry.agentId)), note: entry.note, createdAt: entry.createdAt, createdBy: entry.createdBy };
}
