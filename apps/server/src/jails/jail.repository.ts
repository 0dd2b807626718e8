import { Injectable } from '@nestjs/common';
import { parseJail, type Jail } from '@fleetban/policy';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';

/** Jails are stored as the policy lib's validated object (one source of truth for their shape). */
@Injectable()
export class JailRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<Jail[]> {
    const rows = await this.prisma.jail.findMany({ orderBy: { name: 'asc' } });
    return rows.map((row) => parseJail(row.config, row.name));
  }

  async get(name: string): Promise<Jail | null> {
    const row = await this.prisma.jail.findUnique({ where: { name } });
    return row ? parseJail(row.config, row.name) : null;
  }

  async save(jail: Jail): Promise<void> {
    const config = jail as unknown as Prisma.InputJsonValue;
    await this.prisma.jail.upsert({ where: { name: jail.name }, create: { name: jail.name, enabled: jail.enabled, config }, update: { enabled: jail.enabled, config } });
  }

  /** Stores the jails that do not exist yet; existing ones (perhaps edited by an admin) are left alone. Returns the names added. */
  async addMissing(jails: readonly Jail[]): Promise<string[]> {
    const added: string[] = [];
    for (const jail of jails) {
      const result = await this.prisma.jail.createMany({ data: [{ name: jail.name, enabled: jail.enabled, config: jail as unknown as Prisma.InputJsonValue }], skipDuplicates: true });
      if (result.count > 0) added.push(jail.name);
    }
    return added;
  }
}
