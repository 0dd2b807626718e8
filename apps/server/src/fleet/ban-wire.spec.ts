import { describe, expect, it } from 'vitest';
import type { ActiveBanRow, BanChangeRow } from './ban-change.repository';
import { deltaFor, enforcedBans } from './ban-wire';

const HOST = 7;
const at = (ms: number | null) => (ms === null ? null : new Date(ms));
const active = (target: string, agentId: number | null, until: number | null, jail = agentId === null ? 'asterisk' : 'per-host'): ActiveBanRow => ({ target, agentId, expiresAt: at(until), jail, origin: 'automatic' });
const change = (seq: number, op: BanChangeRow['op'], target: string, agentId: number | null): BanChangeRow => ({ seq, op, target, agentId, expiresAt: null, jail: 'x', origin: 'automatic' });

describe('what an agent is sent per address', () => {
  it('keeps the fleet ban on the host when the host ban on the same address is lifted', () => {
    const rows = [change(5, 'remove', '192.0.2.1', HOST)];
    expect(deltaFor(rows, [active('192.0.2.1', null, 9000)], HOST)).toEqual({ add: [{ ip: '192.0.2.1', until: 9000, jail: 'asterisk' }], remove: [] });
  });

  it('keeps the host ban on its host, and removes the address elsewhere, when the fleet ban is lifted', () => {
    const rows = [change(5, 'remove', '192.0.2.1', null)];
    const left = [active('192.0.2.1', HOST, 20_000)];
    expect(deltaFor(rows, left, HOST)).toEqual({ add: [{ ip: '192.0.2.1', until: 20_000, jail: 'per-host' }], remove: [] });
    expect(deltaFor(rows, left, HOST + 1)).toEqual({ add: [], remove: ['192.0.2.1'] });
  });

  it('sends the ban that ends last, a permanent one above all, whichever came last', () => {
    const rows = [change(5, 'add', '192.0.2.1', HOST), change(6, 'add', '192.0.2.1', null), change(7, 'add', '2001:db8::1', HOST)];
    const bans = [active('192.0.2.1', HOST, 20_000), active('192.0.2.1', null, 9000), active('2001:db8::1', null, null), active('2001:db8::1', HOST, 5000)];
    expect(deltaFor(rows, bans, HOST).add.map((b) => [b.ip, b.until])).toEqual([['192.0.2.1', 20_000], ['2001:db8::1', null]]);
  });

  it('ignores changes and bans of other hosts', () => {
    const rows = [change(5, 'add', '192.0.2.1', HOST + 1)];
    expect(deltaFor(rows, [active('192.0.2.1', HOST + 1, 9000)], HOST)).toEqual({ add: [], remove: [] });
    expect([...enforcedBans([active('192.0.2.1', HOST + 1, 9000), active('198.51.100.0/24', null, 1000)], HOST).keys()]).toEqual(['198.51.100.0/24']);
  });

  it('removes an address added and lifted between two reads', () => {
    expect(deltaFor([change(5, 'add', '192.0.2.1', null), change(6, 'remove', '192.0.2.1', null)], [], HOST)).toEqual({ add: [], remove: ['192.0.2.1'] });
  });
});
