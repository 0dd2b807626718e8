import { describe, expect, it } from 'vitest';
import { BanBook } from './ban-book';

const ban = (ip: string, until: number | null) => ({ ip, until, jail: 'asterisk' });

describe('BanBook', () => {
  it('replaces its content with a snapshot only once the last part arrives', () => {
    const book = BanBook.restore({ seq: 3, bans: [ban('192.0.2.1', null)] }, 0);
    expect(book.applySnapshot({ type: 'bans.snapshot', seq: 9, bans: [ban('198.51.100.1', 5000)], last: false })).toBeNull();
    expect(book.active(0).map((b) => b.ip)).toEqual(['192.0.2.1']);
    const update = book.applySnapshot({ type: 'bans.snapshot', seq: 9, bans: [ban('2001:db8::/64', null)], last: true });
    expect(update).toEqual({ kind: 'snapshot', seq: 9, bans: [ban('198.51.100.1', 5000), ban('2001:db8::/64', null)] });
    expect(book.seq).toBe(9);
    expect(book.active(0).map((b) => b.ip)).toEqual(['198.51.100.1', '2001:db8::/64']);
  });

  it('keeps, of an address listed twice in a snapshot, the ban that ends last', () => {
    const book = new BanBook();
    const update = book.applySnapshot({ type: 'bans.snapshot', seq: 4, bans: [ban('192.0.2.1', 9000), ban('192.0.2.1', 5000), ban('192.0.2.2', 5000), ban('192.0.2.2', null)], last: true });
    expect(update).toEqual({ kind: 'snapshot', seq: 4, bans: [ban('192.0.2.1', 9000), ban('192.0.2.2', null)] });
  });

  it('applies deltas in order: a later add replaces, a remove deletes', () => {
    const book = new BanBook();
    book.applyDelta({ type: 'bans.delta', seq: 1, add: [ban('192.0.2.1', 1000)], remove: [] });
    book.applyDelta({ type: 'bans.delta', seq: 2, add: [ban('192.0.2.1', 9000), ban('192.0.2.2', null)], remove: [] });
    book.applyDelta({ type: 'bans.delta', seq: 3, add: [], remove: ['192.0.2.2'] });
    expect(book.seq).toBe(3);
    expect(book.active(2000)).toEqual([ban('192.0.2.1', 9000)]);
  });

  it('forgets expired bans when saved and when restored', () => {
    const book = new BanBook();
    book.applyDelta({ type: 'bans.delta', seq: 1, add: [ban('192.0.2.1', 1000), ban('192.0.2.2', null)], remove: [] });
    const saved = book.save(1500);
    expect(saved).toEqual({ seq: 1, bans: [ban('192.0.2.2', null)] });
    expect(BanBook.restore({ seq: 1, bans: [ban('192.0.2.1', 1000)] }, 1000).active(0)).toEqual([]);
  });
});
