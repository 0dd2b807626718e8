import { StringDecoder } from 'node:string_decoder';

/** Where {@link TextLines} delivers what it cut. */
export interface LineSink {
  /** One line, without its newline; null when longer than the cap (oversized: never held whole). */
  line(text: string | null): void;
  /** The whole lines of `text[start, end)`, each ended by `\n`, that no line before them straddles. */
  block(text: string, start: number, end: number): void;
}

/**
 * Cuts a byte stream into text lines for `parse`: each chunk is decoded once, and its whole lines go on as one
 * block of that string (no per-line decode, no per-line slice: the parser skips lines it has no use for), the
 * line split across two chunks on its own. A line longer than `maxChars` is reported as `null` (oversized) and
 * never held whole; within a block, the sink's parser applies the same cap.
 */
export class TextLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private oversized = false;

  constructor(private readonly maxChars: number) {}

  push(chunk: Buffer, sink: LineSink): void {
    this.cut(this.decoder.write(chunk), sink);
  }

  /** End of input: a last line without its newline is still a line. */
  end(sink: LineSink): void {
    this.cut(this.decoder.end(), sink);
    if (this.oversized) sink.line(null);
    else if (this.pending !== '') sink.line(this.pending);
    this.pending = '';
    this.oversized = false;
  }

  private cut(text: string, sink: LineSink): void {
    const first = text.indexOf('\n');
    if (first >= 0) {
      let blockStart = 0;
      if (this.oversized || this.pending !== '') {
        // The line that began in an earlier chunk ends here.
        const line = this.oversized ? null : this.pending + text.slice(0, first);
        sink.line(line === null || line.length > this.maxChars ? null : line);
        blockStart = first + 1;
      }
      const last = text.lastIndexOf('\n');
      if (last >= blockStart) sink.block(text, blockStart, last + 1);
      this.pending = '';
      this.oversized = false;
      text = text.slice(last + 1);
    }
    if (this.oversized || text === '') return;
    this.pending += text;
    if (this.pending.length > this.maxChars) {
      this.oversized = true;
      this.pending = '';
    }
  }
}
