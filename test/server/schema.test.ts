import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../apps/server/src/generated/prisma/client';
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../../apps/server/src/database/migrator';
import { createEmptyDatabase } from '../support/test-database';

// The migrations are applied by our own runner; schema.prisma generates the client. If the two disagreed
// (a column missing, a wrong type or enum), these round trips through every model would fail.
describe('migrations and schema.prisma describe the same database', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createEmptyDatabase('schema');
    await applyMigrations(db.url);
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('records every migration as Prisma does, and a second run applies nothing', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    const files = readMigrations(defaultMigrationsDir());
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(files.map((m) => [m.name, m.checksum, 1]));
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    expect(await applyMigrations(db.url)).toEqual([]);
  });

  it('round-trips every model through the generated client', async () => {
    const agent = await prisma.agent.create({ data: { name: 'pbx-01', tokenHash: 'h1', report: { files: [] } } });
    await prisma.securityEvent.create({
      data: { agentId: agent.id, time: new Date(), type: 'InvalidAccountID', failure: true, ip: '2001:db8::10', port: 5060, transport: 'UDP', service: 'PJSIP', account: '100', session: 'abc', localAddress: '10.0.0.1:5060', source: 'security' },
    });
    await prisma.ingestBatch.create({ data: { agentId: agent.id, batchId: 'b-1', eventCount: 1 } });
    await prisma.pendingEvaluation.create({ data: { agentId: agent.id, ips: ['2001:db8::10'] } });
    await prisma.jail.create({ data: { name: 'asterisk', config: { maxretry: 3 } } });
    const ban = await prisma.ban.create({ data: { target: '198.51.100.0/24', jail: 'asterisk', origin: 'automatic', reason: 'test', expiresAt: new Date(Date.now() + 3600_000), evidence: { failures: 3 } } });
    await prisma.banChange.create({ data: { banId: ban.id, op: 'add', target: ban.target, expiresAt: ban.expiresAt } });
    await prisma.allowlistEntry.create({ data: { cidr: '10.0.0.0/8', scope: 'agent', agentId: agent.id, note: 'office' } });
    await prisma.apiToken.create({ data: { name: 'ops', tokenHash: 'h2', role: 'viewer' } });
    await prisma.auditEntry.create({ data: { actor: 'ops', action: 'ban.create', target: ban.target, details: { x: 1 }, remoteAddress: '127.0.0.1' } });

    const loaded = await prisma.agent.findUniqueOrThrow({ where: { id: agent.id }, include: { batches: true, allowlist: true, evaluations: true } });
    expect(await prisma.securityEvent.findFirstOrThrow({ where: { agentId: agent.id } })).toMatchObject({ ip: '2001:db8::10', type: 'InvalidAccountID', source: 'security' });
    expect(loaded.batches).toHaveLength(1);
    expect(loaded.allowlist[0]?.cidr).toBe('10.0.0.0/8');
    expect(loaded.evaluations[0]?.ips).toEqual(['2001:db8::10']);
    expect((await prisma.ban.findFirstOrThrow({ include: { changes: true } })).changes[0]?.op).toBe('add');
    expect(await prisma.jail.count()).toBe(1);
    expect(await prisma.apiToken.count({ where: { role: 'viewer' } })).toBe(1);
    expect(await prisma.auditEntry.count()).toBe(1);
  });

  it('allows one active ban per target and scope, any number of lifted ones', async () => {
    const data = { target: '203.0.113.9', origin: 'automatic' as const, reason: 'x' };
    await prisma.ban.create({ data: { ...data, liftedAt: new Date() } });
    await prisma.ban.create({ data });
    await expect(prisma.ban.create({ data })).rejects.toThrow();
  });
});
