import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteLines } from './byte-lines';

/** What the sink saw, line by line: blocks cut at their newlines. */
function cutAll(text: string, cuts: number[], maxBytes: number): Array<string | null> {
  const seen: Array<string | null> = [];
  const sink = {
    line: (l: Buffer | null) => seen.push(l === null ? null : l.toString('utf8')),
    block: (b: Buffer, start: number, end: number) => {
      expect(b[end - 1]).toBe(10);
      for (const l of b.subarray(start, end - 1).toString('utf8').split('\n')) seen.push(Buffer.byteLength(l) > maxBytes ? null : l);
    },
  };
  const lines = new ByteLines(maxBytes);
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    lines.push(bytes.subarray(at, cut), sink);
    at = cut;
  }
  lines.push(bytes.subarray(at), sink);
  lines.end(sink);
  return seen;
}

describe('ByteLines', () => {
  it('gives every line once, whatever the chunk boundaries (multi-byte characters split included), overlong ones as null', () => {
    const line = fc.array(fc.constantFrom('a', 'é', '😀', ' ', '\r', 'SecurityEvent="', 'NOTICE'), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (lines, lastNewline, cuts) => {
        const text = lines.join('\n') + (lastNewline && lines.length > 0 ? '\n' : '');
        const expected = text === '' ? [] : text.split('\n');
        if (text.endsWith('\n')) expected.pop();
        // Lines that straddle a cut are capped by the splitter, the others by the sink (the parser, in parse).
        const maxBytes = 40;
        expect(cutAll(text, cuts, maxBytes)).toEqual(expected.map((l) => (Buffer.byteLength(l) > maxBytes ? null : l)));
      }),
      { numRuns: 2000 },
    );
  });
});
