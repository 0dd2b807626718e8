import { describe, expect, it } from 'vitest';
import { cell, formatFields, formatTable, printable, tableOrEmpty } from './table.formatter';

describe('formatTable', () => {
  it('aligns columns two spaces apart under a capitalised header, without trailing spaces', () => {
    const text = formatTable(['ip', 'jail', 'reason'], [
      ['203.0.113.7', 'asterisk', 'manual'],
      ['2001:db8::/64', null, ''],
    ]);
    expect(text).toBe(['IP             JAIL      REASON', '203.0.113.7    asterisk  manual', '2001:db8::/64  -         -', ''].join('\n'));
  });

  it('widens a column to its longest cell, header included', () => {
    const lines = formatTable(['currently banned', 'x'], [[1, 'a'], [123456789012345678901n, 'b']]).split('\n');
    expect(lines[0]).toBe('CURRENTLY BANNED       X');
    expect(lines[1]).toBe('1                      a');
    expect(lines[2]).toBe('123456789012345678901  b');
  });

  it('prints the empty text instead of a lone header', () => {
    expect(tableOrEmpty(['ip'], [], 'No active bans.')).toBe('No active bans.\n');
  });
});

describe('cell and printable', () => {
  it('escapes control characters from attacker-controlled text', () => {
    expect(printable('alice\x1b[2J\r\nbob\u0085')).toBe('alice\\x1b[2J\\x0d\\x0abob\\x85');
    expect(cell('evil\u2028line')).toBe('evil\\u2028line');
  });

  it('shows missing values as -, booleans and numbers as text, objects as JSON', () => {
    expect([cell(null), cell(undefined), cell(''), cell(false), cell(0), cell({ a: 1 })]).toEqual(['-', '-', '-', 'false', '0', '{"a":1}']);
  });
});

describe('formatFields', () => {
  it('aligns values after the longest label', () => {
    expect(formatFields([['Address', '192.0.2.1'], ['  by agent', 'pbx-01 3']])).toBe('Address:     192.0.2.1\n  by agent:  pbx-01 3\n');
  });
});
