import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSpool, type EventSpoolOptions } from './event.spool';

interface Ev {
  n: number;
  pad: string;
}
const ev = (from: number, count: number): Ev[] => Array.from({ length: count }, (_, i) => ({ n: from + i, pad: 'p'.repeat(50) }));
const ns = (events: Ev[]): number[] => events.map((e) => e.n);
const dirOf = (): string => mkdtempSync(join(tmpdir(), 'fleetban-spool-'));
const opened: EventSpool<Ev, { offset: number }>[] = [];
async function openSpool(dir: string, o: Partial<EventSpoolOptions> = {}): Promise<EventSpool<Ev, { offset: number }>> {
  const spool = await EventSpool.open<Ev, { offset: number }>({ dir, ...o });
  opened.push(spool);
  return spool;
}
// Tests that play a crash leave spools open; close their files afterwards.
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
});

describe('EventSpool', () => {
  it('hands out durable events in ordered batches and forgets them once acknowledged', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir);
    await spool.append(ev(0, 5));
    await spool.append(ev(5, 5));
    const b1 = await spool.nextBatch(4, 1 << 20);
    expect(ns(b1!.events)).toEqual([0, 1, 2, 3]);
    expect(b1!.id.length).toBeLessThanOrEqual(64);
    expect(await spool.nextBatch(4, 1 << 20)).toBeNull(); // window of one batch
    expect(await spool.ack(b1!.id)).toBe(true);
    expect(await spool.ack(b1!.id)).toBe(false);
    const b2 = await spool.nextBatch(100, 1 << 20);
    expect(ns(b2!.events)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(b2!.id).not.toBe(b1!.id);
    expect(spool.stats()).toMatchObject({ events: 6, batchesInFlight: 1, dropped: 0, lastSeq: 10 });
    await spool.ack(b2!.id);
    expect(spool.stats()).toMatchObject({ events: 0, batchesInFlight: 0 });
    expect(readdirSync(dir).filter((n) => n.startsWith('segment-'))).toEqual([]);
    await spool.close();
  });

  it('wakes a waiting sender when events become durable, and times out otherwise', async () => {
    const spool = await openSpool(dirOf());
    expect(await spool.waitForEvents(20)).toBe(false);
    const woken = spool.waitForEvents(5000);
    await spool.append(ev(0, 1));
    expect(await woken).toBe(true);
    expect(await spool.waitForEvents(0)).toBe(true); // already waiting for a batch
    const b = await spool.nextBatch(10, 1 << 20);
    expect(await spool.waitForEvents(20)).toBe(false); // all batched
    await spool.ack(b!.id);
  });

  it('limits a batch by bytes, always taking at least one event', async () => {
    const spool = await openSpool(dirOf(), { maxInFlight: 10 });
    await spool.append(ev(0, 10));
    const small = await spool.nextBatch(100, 1);
    expect(ns(small!.events)).toEqual([0]);
    const some = await spool.nextBatch(100, 300);
    expect(some!.events.length).toBeGreaterThan(1);
    expect(some!.events.length).toBeLessThan(9);
    expect(some!.first).toBe(2);
    await spool.close();
  });

  it('offers the same batch (id and events) again after a restart, a crash, or a rewind', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir, { maxInFlight: 2 });
    await spool.append(ev(0, 10));
    const a = await spool.nextBatch(3, 1 << 20);
    const b = await spool.nextBatch(3, 1 << 20);
    spool.rewind();
    expect(await spool.nextBatch(3, 1 << 20)).toEqual(a);
    // No close(): as after kill -9.
    const again = await openSpool(dir, { maxInFlight: 2 });
    await again.append(ev(10, 2));
    expect(await again.nextBatch(50, 1 << 20)).toEqual(a);
    expect(await again.nextBatch(50, 1 << 20)).toEqual(b);
    expect(await again.nextBatch(50, 1 << 20)).toBeNull();
    await again.ack(a!.id);
    const c = await again.nextBatch(50, 1 << 20);
    expect(ns(c!.events)).toEqual([6, 7, 8, 9, 10, 11]);
    // Out of order: c's ack waits for b's before anything is deleted.
    expect(await again.ack(c!.id)).toBe(true);
    expect(again.stats()).toMatchObject({ events: 9, batchesInFlight: 2, ackedThrough: 3 });
    expect(await again.ack(b!.id)).toBe(true);
    expect(again.stats()).toMatchObject({ events: 0, batchesInFlight: 0, ackedThrough: 12 });
  });

  it('never reuses a sequence number (so a batch id) after everything was acknowledged', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir);
    await spool.append(ev(0, 3));
    const a = await spool.nextBatch(10, 1 << 20);
    await spool.ack(a!.id);
    await spool.close();
    const again = await openSpool(dir);
    await again.append(ev(3, 3));
    const b = await again.nextBatch(10, 1 << 20);
    expect(b!.first).toBe(4);
    expect(b!.id).not.toBe(a!.id);
    expect(b!.id.split('-').slice(0, 5)).toEqual(a!.id.split('-').slice(0, 5)); // same generation
  });

  it('past maxBytes drops the oldest events not in flight, counts them across restarts, never blocks', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir, { maxBytes: 8192, segmentBytes: 1024 });
    await spool.append(ev(0, 5));
    const inFlight = await spool.nextBatch(5, 1 << 20);
    for (let i = 5; i < 400; i += 5) await spool.append(ev(i, 5));
    const stats = spool.stats();
    expect(stats.bytes).toBeLessThanOrEqual(8192 + 1024);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.events + stats.dropped).toBe(400);
    await spool.ack(inFlight!.id); // the in-flight batch survived the drops
    const next = await spool.nextBatch(1000, 1 << 20);
    const got = ns(next!.events);
    expect(got.at(-1)).toBe(399);
    expect(got).toEqual(got.slice().sort((x, y) => x - y));
    // Drops go by whole segments: the one holding the in-flight batch stays; the next oldest went, the newest stayed.
    expect(got).not.toContain(100);
    expect(got).toContain(350);
    expect(got.length + stats.dropped).toBe(395);
    await spool.close();
    expect((await openSpool(dir)).stats().dropped).toBe(stats.dropped);
  });

  it('cuts a torn record off the end of a segment on open and loses nothing else', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir);
    await spool.append(ev(0, 3));
    await spool.append(ev(3, 3));
    await spool.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.startsWith('segment-'))!);
    const goodSize = statSync(segment).size;
    appendFileSync(segment, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 123, 34])); // header says 200 bytes, 2 written
    const again = await openSpool(dir);
    expect(again.stats().truncatedBytes).toBe(10);
    expect(statSync(segment).size).toBe(goodSize);
    await again.append(ev(6, 2));
    expect(ns((await again.nextBatch(100, 1 << 20))!.events)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('detects a damaged record by its checksum', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir);
    await spool.append(ev(0, 2));
    await spool.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.startsWith('segment-'))!);
    const bytes = readFileSync(segment);
    const tail = Buffer.from(bytes);
    tail.writeUInt8(tail.readUInt8(tail.length - 3) ^ 0xff, tail.length - 3);
    writeFileSync(segment, Buffer.concat([bytes, tail]));
    const again = await openSpool(dir);
    expect(again.stats().truncatedBytes).toBe(bytes.length);
    expect(ns((await again.nextBatch(100, 1 << 20))!.events)).toEqual([0, 1]);
  });

  it('keeps the newest checkpoint per key, also once its segment is acknowledged and deleted', async () => {
    const dir = dirOf();
    const spool = await openSpool(dir);
    await spool.append(ev(0, 2), { a: { offset: 10 } });
    await spool.append(ev(2, 2), { a: { offset: 20 }, b: { offset: 5 } });
    await spool.append([], { b: { offset: 7 } });
    const batch = await spool.nextBatch(10, 1 << 20);
    await spool.ack(batch!.id);
    await spool.close();
    const again = await openSpool(dir);
    expect(Object.fromEntries(again.checkpoints())).toEqual({ a: { offset: 20 }, b: { offset: 7 } });
    await again.append(ev(4, 1), { a: { offset: 30 } });
    const third = await openSpool(dir); // without closing: the record holds it
    expect(third.checkpoints().get('a')).toEqual({ offset: 30 });
  });
});

describe('EventSpool lock', () => {
  it('refuses a spool directory held by another live process, and takes over one left by a dead process', async () => {
    const dir = dirOf();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    writeFileSync(join(dir, 'lock'), `${other.pid}\n`);
    await expect(EventSpool.open({ dir })).rejects.toThrow(/in use by process/);
    const exited = new Promise((r) => other.once('exit', r));
    other.kill('SIGKILL');
    await exited;
    const spool = await openSpool(dir);
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    await spool.close();
  });
});
