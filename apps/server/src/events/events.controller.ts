import { Get, Query } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import { parseDuration } from '@fleetban/policy';
import { SECURITY_EVENT_TYPES } from '@fleetban/asterisk-log';
import { z } from 'zod';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import { InputError, parseInput } from '../api/input-error';
import { AdminApi, QueryFrom } from '../api/openapi';
import { decodeCursor, limitSchema, page } from '../api/pagination';
import { DomainError } from '../common/domain-error';
import { EventsRepository } from './events.repository';

const cidr = z.string().refine((v) => normalizeCidr(v, { strict: false }) !== null, 'must be an IP address or CIDR');
const searchQuery = z.object({
  ip: cidr.optional(),
  agent: z.string().min(1).optional(),
  type: z.enum(SECURITY_EVENT_TYPES).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: limitSchema,
  cursor: z.string().optional(),
});
const topQuery = z.object({ since: z.string().default('1h'), limit: z.coerce.number().int().min(1).max(100).default(10) });

function sinceDate(since: string): Date {
  try {
    return new Date(Date.now() - parseDuration(since) * 1000);
  } catch (error) {
    throw new InputError(`query field "since": ${(error as Error).message}`, 'since');
  }
}

@AdminApi('events')
export class EventsController {
  constructor(
    private readonly events: EventsRepository,
    private readonly agents: AgentDirectoryRepository,
  ) {}

  @Get()
  @QueryFrom(searchQuery)
  async search(@Query() query: unknown) {
    const q = parseInput(searchQuery, query, 'query');
    const names = await this.agents.names();
    let agentId: number | undefined;
    if (q.agent !== undefined) {
      agentId = (await this.agents.idByName(q.agent)) ?? undefined;
      if (agentId === undefined) throw new DomainError('agent_not_found', `no agent named "${q.agent}"; \`fleetban agents\` lists them`);
    }
    const rows = await this.events.search(
      { ip: q.ip, agentId, type: q.type, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
      q.limit + 1,
      decodeCursor(q.cursor),
    );
    return page(
      rows.map(({ agentId: id, ...event }) => ({ ...event, agent: names.get(id) ?? String(id) })),
      q.limit,
    );
  }

  @Get('top-attackers')
  @QueryFrom(topQuery)
  async topAttackers(@Query() query: unknown) {
    const q = parseInput(topQuery, query, 'query');
    return { items: await this.events.topAttackers(sinceDate(q.since), q.limit) };
  }

  @Get('top-accounts')
  @QueryFrom(topQuery)
  async topAccounts(@Query() query: unknown) {
    const q = parseInput(topQuery, query, 'query');
    return { items: await this.events.topAccounts(sinceDate(q.since), q.limit) };
  }
}
