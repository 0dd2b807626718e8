import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into text lines for `parse`: each chunk is decoded once and lines are slices of it (one
 * decode per chunk rather than one per line, which is what keeps the command near the parser's own speed).
 * A line longer than `maxChars` is reported as `null` (oversized) and never held whole.
 */
export class TextLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private oversized = false;

  constructor(private readonly maxChars: number) {}

  push(chunk: Buffer, emit: (line: string | null) => void): void {
    this.cut(this.decoder.write(chunk), emit);
  }

  /** End of input: a last line without its newline is still a line. */
  end(emit: (line: string | null) => void): void {
    this.cut(this.decoder.end(), emit);
    if (this.oversized) emit(null);
    else if (this.pending !== '') emit(this.pending);
    this.pending = '';
    this.oversized = false;
  }

  private cut(text: string, emit: (line: string | null) => void): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (this.oversized) emit(null);
      else if (this.pending !== '') {
        const line = this.pending + text.slice(start, nl);
        emit(line.length > this.maxChars ? null : line);
      } else emit(nl - start > this.maxChars ? null : text.slice(start, nl));
      this.pending = '';
      this.oversized = false;
      start = nl + 1;
    }
    if (this.oversized || start === text.length) return;
    this.pending += text.slice(start);
    if (this.pending.length > this.maxChars) {
      this.oversized = true;
      this.pending = '';
    }
  }
}
