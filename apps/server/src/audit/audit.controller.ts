import { Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '../api/input-error';
import { AdminApi, QueryFrom } from '../api/openapi';
import { decodeCursor, limitSchema, page } from '../api/pagination';
import { AuditRepository } from './audit.repository';

const auditQuery = z.object({ limit: limitSchema, cursor: z.string().optional() });

@AdminApi('audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @QueryFrom(auditQuery)
  async list(@Query() query: unknown) {
    const q = parseInput(auditQuery, query, 'query');
    return page(await this.audit.page(q.limit + 1, decodeCursor(q.cursor)), q.limit);
  }
}
