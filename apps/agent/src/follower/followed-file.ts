import { open, type FileHandle } from 'node:fs/promises';
import { type FileIdentity, type LinePosition, readFingerprint, statIdentity } from './file-identity';
import { LineSplitter } from './line-splitter';

/** One line read from a followed file, with the position to commit once it is safely handled. */
export interface FollowedLine {
  text: string;
  position: LinePosition;
  truncated: boolean;
}

/** Chooses where to start reading a file just opened, from its identity; undefined means "not this file". */
export type StartAt = (opened: FileIdentity) => number | 'end' | undefined;

export interface ReadLimits {
  chunkBytes: number;
  maxLineBytes: number;
}

/**
 * One open descriptor of a followed path: the file currently at the path, or a rotated/deleted one being drained.
 * `readOffset` is where the next read starts (always just after a complete line: the held partial line is re-read
 * after a restart); `committed` is what the consumer has confirmed as handled.
 */
export class FollowedFile {
  readOffset: number;
  committed: number;
  size = 0;
  linesRead = 0;
  linesTooLong = 0;
  /** What the file held before a truncation (copytruncate): its copy, if found, is drained from there. */
  beforeTruncation: { id: FileIdentity; readOffset: number; committed: number } | undefined;
  /** Commits for this identity land here: a copytruncate copy continues the truncated file's positions. */
  private alias: FileIdentity | undefined;
  /** Last time the file grew or was read from (ms since epoch), to retire a drained rotated file once quiet. */
  lastActivity = Date.now();
  private readonly splitter: LineSplitter;
  private fileOffset: number;
  private identity: FileIdentity;

  private constructor(
    private readonly handle: FileHandle,
    identity: FileIdentity,
    offset: number,
    private readonly limits: ReadLimits,
  ) {
    this.identity = identity;
    this.readOffset = offset;
    this.fileOffset = offset;
    this.committed = offset;
    this.splitter = new LineSplitter(limits.maxLineBytes);
  }

  /**
   * Opens `openPath` (the followed path or a rotated sibling) as a file of `path`. `startAt` sees what was actually
   * opened (the path may have been rotated meanwhile) and picks the offset: a number, 'end' to skip existing lines,
   * or undefined to refuse the file. An offset past the end means everything it holds was read: `startAt` matched
   * its first line, so it was not truncated since (that changes the first line), it is a copy made before lines we
   * read from the original (copytruncate).
   */
  static async open(path: string, openPath: string, startAt: StartAt, limits: ReadLimits): Promise<FollowedFile | undefined> {
    const handle = await open(openPath, 'r');
    try {
      const st = await statIdentity(handle);
      const id = { path, dev: st.dev, ino: st.ino, fingerprint: await readFingerprint(handle) };
      const offset = startAt(id);
      if (offset === undefined) {
        await handle.close();
        return undefined;
      }
      const start = offset === 'end' ? await lastLineEnd(handle, st.size) : Math.min(offset, st.size);
      const file = new FollowedFile(handle, id, start, limits);
      file.size = st.size;
      return file;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get id(): FileIdentity {
    return this.identity;
  }

  /** Bytes of a partial line waiting for its newline. */
  get pendingBytes(): number {
    return this.splitter.pendingBytes;
  }

  get hasUnread(): boolean {
    return this.fileOffset < this.size;
  }

  get drained(): boolean {
    return this.fileOffset >= this.size && this.committed >= this.readOffset;
  }

  /**
   * Re-stats the descriptor. Returns 'truncated' when the file shrank below what we read or its first line changed
   * (copytruncate, or overwritten in place): reading restarts at 0 of the same inode.
   */
  async refresh(): Promise<'same' | 'grew' | 'truncated'> {
    const st = await statIdentity(this.handle);
    const previous = this.size;
    this.size = st.size;
    if (st.size < this.fileOffset) return this.restart();
    if (st.size === previous) return 'same';
    const fingerprint = await readFingerprint(this.handle);
    if (this.identity.fingerprint !== '' && fingerprint !== this.identity.fingerprint) return this.restart();
    if (this.identity.fingerprint === '') this.identity = { ...this.identity, fingerprint };
    this.lastActivity = Date.now();
    return 'grew';
  }

  /**
   * Reads one chunk; returns the complete lines in it (possibly none), or 'truncated' when the file turned out to
   * hold other content (truncated, and maybe refilled, since the last stat): reading then restarts at 0.
   */
  async readChunk(): Promise<FollowedLine[] | 'truncated'> {
    const want = Math.min(this.limits.chunkBytes, this.size - this.fileOffset);
    if (want <= 0) return [];
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.handle.read(buf, 0, want, this.fileOffset);
    if (bytesRead < want) this.size = this.fileOffset + bytesRead; // it shrank since the stat: stop at its end
    if (bytesRead === 0) return [];
    // Checked after the read: bytes read after a copytruncate (and a refill) must not pass for the old content.
    const fingerprint = await readFingerprint(this.handle);
    if (this.identity.fingerprint === '') this.identity = { ...this.identity, fingerprint };
    else if (fingerprint !== this.identity.fingerprint) return this.restart();
    const split = this.splitter.push(buf.subarray(0, bytesRead), this.fileOffset);
    this.fileOffset += bytesRead;
    this.lastActivity = Date.now();
    const id = this.identity;
    const lines = split.map((l) => ({ text: l.text, truncated: l.truncated, position: { ...id, offset: l.end } }));
    for (const l of split) if (l.truncated) this.linesTooLong++;
    this.linesRead += lines.length;
    if (split.length > 0) this.readOffset = split[split.length - 1]!.end;
    return lines;
  }

  /** Whether a position (of a line we handed out) belongs to this file's current content. */
  matches(p: FileIdentity): boolean {
    const same = (id: FileIdentity | undefined): boolean => id !== undefined && id.dev === p.dev && id.ino === p.ino && id.fingerprint === p.fingerprint;
    return same(this.identity) || same(this.alias);
  }

  commit(offset: number): void {
    if (offset > this.committed) this.committed = Math.min(offset, this.readOffset);
  }

  /**
   * Continues another file's reading: this file is the copy logrotate made before truncating that one. A copy shorter
   * than what we read (lines written between the copy and the truncate) has nothing left: it is drained at its end.
   */
  adopt(from: { id: FileIdentity; readOffset: number; committed: number }): void {
    const at = Math.min(from.readOffset, this.size);
    this.alias = from.id;
    this.splitter.reset();
    this.fileOffset = at;
    this.readOffset = at;
    this.committed = Math.min(from.committed, at);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async restart(): Promise<'truncated'> {
    this.beforeTruncation = { id: this.identity, readOffset: this.readOffset, committed: this.committed };
    this.splitter.reset();
    this.fileOffset = 0;
    this.readOffset = 0;
    this.committed = 0;
    this.identity = { ...this.identity, fingerprint: await readFingerprint(this.handle) };
    this.lastActivity = Date.now();
    return 'truncated';
  }
}

/** Offset just after the last complete line: a fresh start skips history but not a line being written. */
async function lastLineEnd(handle: FileHandle, size: number): Promise<number> {
  const window = Math.min(size, 65536);
  if (window === 0) return 0;
  const buf = Buffer.alloc(window);
  await handle.read(buf, 0, window, size - window);
  const nl = buf.lastIndexOf(10);
  return nl < 0 ? (size > window ? size : 0) : size - window + nl + 1;
}
