import { Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '../api/input-error';
import { AdminApi, QueryFrom } from '../api/openapi';
import { StatusService } from './status.service';

const statusQuery = z.object({ jail: z.string().min(1).optional() });

@AdminApi('status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @QueryFrom(statusQuery)
  get(@Query() query: unknown) {
    return this.status.status(parseInput(statusQuery, query, 'query').jail);
  }
}
