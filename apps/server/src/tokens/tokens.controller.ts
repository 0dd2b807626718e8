import { Body, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import type { ApiRequest } from '../api/api-request';
import { parseInput } from '../api/input-error';
import { AdminApi, BodyFrom } from '../api/openapi';
import { DomainError } from '../common/domain-error';
import { ApiTokensService } from './api-tokens.service';

const addBody = z.object({ name: z.string().min(1, 'give the token a name'), role: z.enum(['admin', 'viewer']) }).strict();

@AdminApi('tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  async list(@Req() request: ApiRequest) {
    if (request.principal?.role !== 'admin') throw new DomainError('forbidden', 'listing API tokens needs an admin token');
    return { items: await this.tokens.list() };
  }

  @Post()
  @BodyFrom(addBody)
  async add(@Body() body: unknown) {
    const input = parseInput(addBody, body);
    const { token, apiToken } = await this.tokens.create(input.name, input.role);
    return { name: apiToken.name, role: apiToken.role, token };
  }

  @Delete(':name')
  async revoke(@Param('name') name: string) {
    const token = await this.tokens.revoke(name);
    return { name: token.name, revoked: true };
  }
}

