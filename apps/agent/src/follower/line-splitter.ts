/** A complete line cut from a byte stream; `end` is the offset just after its newline. */
export interface SplitLine {
  text: string;
  end: number;
  /** The line was longer than the cap: `text` holds its first maxLineBytes bytes only. */
  truncated: boolean;
}

/**
 * Cuts chunks of a file into lines. A partial last line is held (bounded by maxLineBytes) until its newline arrives;
 * nothing is copied twice except that held prefix, so long runs of short lines cost one toString per line.
 */
export class LineSplitter {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private overflow = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes of an incomplete line held so far (not counting bytes skipped past the cap). */
  get pendingBytes(): number {
    return this.heldBytes;
  }

  reset(): void {
    this.held = [];
    this.heldBytes = 0;
    this.overflow = false;
  }

  /** Splits `chunk`, which starts at byte `chunkOffset` of the file; returns the lines it completes. */
  push(chunk: Buffer, chunkOffset: number): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      lines.push(this.complete(chunk.subarray(start, nl), chunkOffset + nl + 1));
      start = nl + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
    return lines;
  }

  private complete(tail: Buffer, end: number): SplitLine {
    let bytes = tail;
    if (this.held.length > 0 || this.overflow) {
      this.hold(tail);
      bytes = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held, this.heldBytes);
    }
    const truncated = this.overflow || bytes.length > this.maxLineBytes;
    if (bytes.length > this.maxLineBytes) bytes = bytes.subarray(0, this.maxLineBytes);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
    this.reset();
    return { text: bytes.toString('utf8'), end, truncated };
  }

  private hold(part: Buffer): void {
    const room = this.maxLineBytes - this.heldBytes;
    if (part.length > room) this.overflow = true;
    if (room <= 0) return;
    // Copy: the caller reuses its read buffer.
    const kept = Buffer.from(part.subarray(0, room));
    this.held.push(kept);
    this.heldBytes += kept.length;
  }
}
