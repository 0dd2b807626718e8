/** Where {@link ByteLines} delivers what it cut. */
export interface LineSink {
  /** A line that straddled chunks, without its newline; null when longer than the cap (never held whole). */
  line(bytes: Buffer | null): void;
  /** The whole lines of `bytes[start, end)`, each ended by `\n`, that no line before them straddles. */
  block(bytes: Buffer, start: number, end: number): void;
}

/**
 * Cuts a byte stream into lines for `parse` without decoding it: each chunk's whole lines go on as one block of
 * that chunk (the parser decodes only the lines it has a use for), the line split across two chunks on its own,
 * copied. A straddling line longer than `maxBytes` is reported as `null` (oversized) and never held whole.
 */
export class ByteLines {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private oversized = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer, sink: LineSink): void {
    const first = chunk.indexOf(10);
    if (first < 0) {
      this.hold(chunk);
      return;
    }
    let blockStart = 0;
    if (this.heldBytes > 0 || this.oversized) {
      // The line that began in an earlier chunk ends here.
      this.hold(chunk.subarray(0, first));
      sink.line(this.take());
      blockStart = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= blockStart) sink.block(chunk, blockStart, last + 1);
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
  }

  /** End of input: a last line without its newline is still a line. */
  end(sink: LineSink): void {
    if (this.heldBytes > 0 || this.oversized) sink.line(this.take());
  }

  private take(): Buffer | null {
    const line = this.oversized ? null : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    this.oversized = false;
    return line;
  }

  private hold(part: Buffer): void {
    if (this.oversized || part.length === 0) return;
    if (this.heldBytes + part.length > this.maxBytes) {
      this.oversized = true;
      this.held = [];
      this.heldBytes = 0;
      return;
    }
    // Copied: a stream may reuse its buffers.
    this.held.push(Buffer.from(part));
    this.heldBytes += part.length;
  }
}
