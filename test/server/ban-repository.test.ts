import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanRepository } from '../../apps/server/src/bans/ban.repository';
import type { NewBan } from '../../apps/server/src/bans/ban';
import { PgPool } from '../../apps/server/src/database/pg-pool';
import { PrismaService } from '../../apps/server/src/database/prisma.service';
import type { ServerConfig } from '../../apps/server/src/config/server-config';
import { createTestDatabase } from '../support/test-database';

const ban = (target: string, extra: Partial<NewBan> = {}): NewBan => ({
  target,
  jail: 'asterisk',
  scope: 'fleet',
  agentId: null,
  origin: 'automatic',
  reason: '3 failures',
  level: 0,
  expiresAt: new Date(Date.now() + 3600_000),
  createdBy: null,
  evidence: { failures: 3 },
  ...extra,
});

describe('BanRepository', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let prisma: PrismaService;
  let pg: PgPool;
  let bans: BanRepository;

  beforeAll(async () => {
    db = await createTestDatabase('bans');
    prisma = new PrismaService({ databaseUrl: db.url } as ServerConfig);
    pg = new PgPool({ databaseUrl: db.url } as ServerConfig);
    bans = new BanRepository(prisma, pg);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await pg?.onApplicationShutdown();
    await db?.drop();
  });

  it('creates a ban with its add change, and refuses a second active ban on the same target', async () => {
    const first = await bans.create(ban('2001:DB8::7'));
    expect(first?.ban).toMatchObject({ target: '2001:db8::7', origin: 'automatic', evidence: { failures: 3 } });
    expect(first?.change).toMatchObject({ op: 'add', target: '2001:db8::7', banId: first?.ban.id });
    expect(await bans.create(ban('2001:db8::7'))).toBeNull();
  });

  it('numbers changes in commit order under concurrent writers', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => bans.create(ban(`198.51.100.${i + 1}`))));
    const seqs = created.map((c) => c?.change.seq ?? 0).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(20);
    const lifted = await bans.lift(created.slice(0, 5).map((c) => c!.ban.id), 'manual', 'ops');
    expect(lifted.map((l) => l.change.op)).toEqual(['remove', 'remove', 'remove', 'remove', 'remove']);
    expect(Math.min(...lifted.map((l) => l.change.seq))).toBeGreaterThan(Math.max(...seqs));
    expect(await bans.lift(created.slice(0, 5).map((c) => c!.ban.id), 'manual', 'ops')).toEqual([]);
    // Lifted, the target can be banned again.
    expect(await bans.create(ban('198.51.100.1'))).not.toBeNull();
  });

  it('finds due bans, overlapping bans and history', async () => {
    const past = await bans.create(ban('203.0.113.5', { expiresAt: new Date(Date.now() - 1000) }));
    await bans.create(ban('10.20.0.0/16', { jail: null, origin: 'manual', expiresAt: null }));
    expect((await bans.findDue(new Date(), 100)).map((b) => b.id)).toContain(past?.ban.id);
    expect((await bans.findActiveOverlapping('10.20.3.4')).map((b) => b.target)).toEqual(['10.20.0.0/16']);
    expect((await bans.findActiveOverlapping('10.0.0.0/8')).map((b) => b.target)).toEqual(['10.20.0.0/16']);
    expect(await bans.findActiveOverlapping('10.21.0.1')).toEqual([]);
    await bans.lift([past!.ban.id], 'expired', null);
    await bans.create(ban('203.0.113.5', { level: 1 }));
    expect((await bans.history('203.0.113.5', 'asterisk')).map((b) => [b.level, b.liftReason])).toEqual([
      [1, null],
      [0, 'expired'],
    ]);
  });

  it('createMany returns the page it wrote: its changes in order, the seq before them, and every ban in force on its targets', async () => {
    const before = await bans.create(ban('192.0.2.200'));
    const page = await bans.createMany([ban('192.0.2.201'), ban('192.0.2.202'), ban('192.0.2.203'), ban('192.0.2.201')]);
    // The repeated target is skipped: an active ban already covers it, the one this call just created.
    expect(page.created.map((c) => c.ban.target)).toEqual(['192.0.2.201', '192.0.2.202', '192.0.2.203']);
    const seqs = page.created.map((c) => c.change.seq);
    expect(seqs).toEqual([page.prevSeq + 1, page.prevSeq + 2, page.prevSeq + 3]);
    expect(page.prevSeq).toBeGreaterThanOrEqual(before?.change.seq ?? Infinity);
    // Listed once for the whole page, whatever its size.
    expect(page.active.map((a) => a.target).sort()).toEqual(['192.0.2.201', '192.0.2.202', '192.0.2.203']);
    expect(page.active.every((a) => a.jail === 'asterisk' && a.origin === 'automatic' && a.expiresAt instanceof Date)).toBe(true);
  });
});
