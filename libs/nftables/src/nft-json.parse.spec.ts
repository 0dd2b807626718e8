import { describe, expect, it } from 'vitest';
import { parseCounter, parseElements, parseTableShape } from './nft-json.parse';

// Captured from nft 1.0.6 (`nft -j list table inet t3`, `nft -j -t list table`, `nft -j list counter`).
const meta = '{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}';
const listed = `{"nftables": [${meta}, {"table": {"family": "inet", "name": "t3", "handle": 15}},
 {"counter": {"family": "inet", "name": "dropped", "table": "t3", "handle": 2, "packets": 7, "bytes": 420}},
 {"set": {"family": "inet", "name": "banned4", "table": "t3", "type": "ipv4_addr", "handle": 3, "flags": ["timeout"],
   "elem": [{"elem": {"val": "1.2.3.4", "timeout": 100, "expires": 99}}, "5.5.5.5"]}},
 {"set": {"family": "inet", "name": "banned4net", "table": "t3", "type": "ipv4_addr", "handle": 4, "flags": ["interval", "timeout"],
   "elem": [{"elem": {"val": {"prefix": {"addr": "10.0.0.0", "len": 8}}, "timeout": 50, "expires": 49}}, {"prefix": {"addr": "2001:db8::", "len": 32}}]}},
 {"set": {"family": "inet", "name": "other", "table": "t3", "type": "ipv4_addr", "handle": 5, "elem": ["9.9.9.9"]}},
 {"chain": {"family": "inet", "table": "t3", "name": "prerouting", "handle": 1, "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}},
 {"chain": {"family": "inet", "table": "t3", "name": "helper", "handle": 9}},
 {"rule": {"family": "inet", "table": "t3", "chain": "prerouting", "handle": 6, "expr": [{"accept": null}]}}]}`;

describe('parseElements', () => {
  it('reads addresses and prefixes with their timeouts, from our sets only', () => {
    expect(parseElements(listed)).toEqual([
      { cidr: '1.2.3.4', set: 'banned4', timeout: 100, expires: 99 },
      { cidr: '5.5.5.5', set: 'banned4', timeout: null, expires: null },
      { cidr: '10.0.0.0/8', set: 'banned4net', timeout: 50, expires: 49 },
      { cidr: '2001:db8::/32', set: 'banned4net', timeout: null, expires: null },
    ]);
  });

  it('fails clearly on output that is not nft JSON', () => {
    expect(() => parseElements('{"x": 1}')).toThrow(/nftables/);
  });
});

describe('parseTableShape', () => {
  it('reads sets, chains with hook and priority, and counters', () => {
    const shape = parseTableShape(listed);
    expect([...shape.sets.keys()]).toEqual(['banned4', 'banned4net', 'other']);
    expect(shape.sets.get('banned4net')).toEqual({ type: 'ipv4_addr', flags: ['interval', 'timeout'] });
    expect(shape.chains.get('prerouting')).toEqual({ hook: 'prerouting', prio: -300 });
    expect(shape.chains.get('helper')).toEqual({ hook: null, prio: null });
    expect([...shape.counters]).toEqual(['dropped']);
  });
});

describe('parseCounter', () => {
  it('reads packets and bytes', () => {
    expect(parseCounter(listed)).toEqual({ packets: 7, bytes: 420 });
  });
});
