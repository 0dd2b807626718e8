import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { ApiRole, ApiToken } from './api-token';

const toToken = (row: { name: string; role: ApiRole; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): ApiToken => ({
  name: row.name,
  role: row.role,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  revoked: row.revokedAt !== null,
});

@Injectable()
export class ApiTokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<ApiToken[]> {
    return (await this.prisma.apiToken.findMany({ orderBy: { id: 'asc' } })).map(toToken);
  }

  async count(): Promise<number> {
    return this.prisma.apiToken.count({ where: { revokedAt: null } });
  }

  /** Null when the name is taken. */
  async create(name: string, role: ApiRole, tokenHash: string): Promise<ApiToken | null> {
    try {
      return toToken(await this.prisma.apiToken.create({ data: { name, role, tokenHash } }));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Creates or re-keys the named token (used for the token given by FLEETBAN_ADMIN_TOKEN). */
  async upsert(name: string, role: ApiRole, tokenHash: string): Promise<void> {
    await this.prisma.apiToken.upsert({ where: { name }, create: { name, role, tokenHash }, update: { role, tokenHash, revokedAt: null } });
  }

  async findActiveByHash(tokenHash: string): Promise<ApiToken | null> {
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash } });
    return row && row.revokedAt === null ? toToken(row) : null;
  }

  async touch(name: string, at: Date): Promise<void> {
    await this.prisma.apiToken.update({ where: { name }, data: { lastUsedAt: at } });
  }

  async revoke(name: string, at: Date): Promise<ApiToken | null> {
    const result = await this.prisma.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: at } });
    if (result.count === 0) return null;
    const row = await this.prisma.apiToken.findUnique({ where: { name } });
    return row && toToken(row);
  }
}
