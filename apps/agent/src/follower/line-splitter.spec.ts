import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter';

function splitAll(chunks: Buffer[], max: number) {
  const splitter = new LineSplitter(max);
  let offset = 0;
  const out = [];
  for (const c of chunks) {
    out.push(...splitter.push(c, offset));
    offset += c.length;
  }
  return { lines: out, pending: splitter.pendingBytes };
}

describe('LineSplitter', () => {
  it('returns complete lines with the offset after each newline and holds the partial last line', () => {
    const { lines, pending } = splitAll([Buffer.from('ab\ncd'), Buffer.from('e\r\nfg')], 100);
    expect(lines).toEqual([
      { text: 'ab', end: 3, truncated: false },
      { text: 'cde', end: 8, truncated: false },
    ]);
    expect(pending).toBe(2);
  });

  it('cuts a line longer than the cap and flags it, keeping memory bounded', () => {
    const huge = Buffer.alloc(1024 * 1024, 'x');
    const splitter = new LineSplitter(1000);
    const first = splitter.push(huge.subarray(0, 500_000), 0);
    expect(first).toEqual([]);
    expect(splitter.pendingBytes).toBe(1000);
    const rest = splitter.push(Buffer.concat([huge.subarray(500_000), Buffer.from('\nok\n')]), 500_000);
    expect(rest.map((l) => [l.text.length, l.truncated, l.end])).toEqual([
      [1000, true, huge.length + 1],
      [2, false, huge.length + 4],
    ]);
  });

  it('gives the same lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), { maxLength: 20 }), fc.array(fc.nat(40)), (texts, cuts) => {
        const data = Buffer.from(texts.map((t) => `${t.replace(/[\r\n]/g, '')}\n`).join(''));
        const chunks: Buffer[] = [];
        let at = 0;
        for (const cut of cuts) {
          chunks.push(data.subarray(at, Math.min(data.length, at + cut)));
          at = Math.min(data.length, at + cut);
        }
        chunks.push(data.subarray(at));
        const { lines } = splitAll(chunks, 1000);
        expect(lines.map((l) => l.text)).toEqual(texts.map((t) => t.replace(/[\r\n]/g, '')));
        expect(lines.at(-1)?.end ?? 0).toBe(data.length);
      }),
    );
  });
});
