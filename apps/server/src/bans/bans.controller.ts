import { Body, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import type { ApiRequest } from '../api/api-request';
import { parseInput } from '../api/input-error';
import { AdminApi, BodyFrom, QueryFrom } from '../api/openapi';
import { decodeCursor, limitSchema, page } from '../api/pagination';
import { BanAdminService } from './ban-admin.service';

const listQuery = z.object({
  state: z.enum(['active', 'lifted', 'all']).default('active'),
  jail: z.string().min(1).optional(),
  agent: z.string().min(1).optional(),
  ip: z.string().min(1).optional(),
  limit: limitSchema,
  cursor: z.string().optional(),
});

const banBody = z
  .object({
    ip: z.string().min(1, 'give the IP address or CIDR to ban'),
    duration: z.union([z.string(), z.number()]).optional(),
    permanent: z.boolean().optional(),
    reason: z.string().max(500).optional(),
    jail: z.string().min(1).optional(),
    agent: z.string().min(1).optional(),
  })
  .strict();

const liftBody = z.object({ ip: z.string().min(1, 'give the IP address or CIDR to unban'), reason: z.string().max(500).optional() }).strict();

@AdminApi('bans')
export class BansController {
  constructor(private readonly bans: BanAdminService) {}

  @Get()
  @QueryFrom(listQuery)
  async list(@Query() query: unknown) {
    const q = parseInput(listQuery, query, 'query');
    return page(await this.bans.list(q, q.limit + 1, decodeCursor(q.cursor)), q.limit);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.bans.get(id);
  }

  @Post()
  @BodyFrom(banBody)
  create(@Body() body: unknown, @Req() request: ApiRequest) {
    return this.bans.ban(parseInput(banBody, body), request.principal?.name ?? 'unknown');
  }

  @Post('lift')
  @HttpCode(200)
  @BodyFrom(liftBody)
  async lift(@Body() body: unknown, @Req() request: ApiRequest) {
    const input = parseInput(liftBody, body);
    return { lifted: await this.bans.liftByIp(input.ip, request.principal?.name ?? 'unknown') };
  }

  @Delete(':id')
  remove(@Param('id') id: string, @Req() request: ApiRequest) {
    return this.bans.liftById(id, request.principal?.name ?? 'unknown');
  }
}
