import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextLines } from './text-lines';

/** What the sink saw, line by line: blocks cut at their newlines. */
function cutAll(text: string, cuts: number[], maxChars: number): Array<string | null> {
  const seen: Array<string | null> = [];
  const sink = {
    line: (l: string | null) => seen.push(l),
    block: (t: string, start: number, end: number) => {
      expect(t.charCodeAt(end - 1)).toBe(10);
      for (const l of t.slice(start, end - 1).split('\n')) seen.push(l.length > maxChars ? null : l);
    },
  };
  const lines = new TextLines(maxChars);
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

describe('TextLines', () => {
  it('gives every line once, whatever the chunk boundaries (multi-byte characters split included), overlong ones as null', () => {
    const line = fc.array(fc.constantFrom('a', 'é', '😀', ' ', '\r', 'SecurityEvent="', 'NOTICE'), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (lines, lastNewline, cuts) => {
        const text = lines.join('\n') + (lastNewline && lines.length > 0 ? '\n' : '');
        const expected = text === '' ? [] : text.split('\n');
        if (text.endsWith('\n')) expected.pop();
        const maxChars = 20;
        expect(cutAll(text, cuts, maxChars)).toEqual(expected.map((l) => (l.length > maxChars ? null : l)));
      }),
      { numRuns: 2000 },
    );
  });
});
