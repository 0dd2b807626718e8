import { stat } from 'node:fs/promises';
import { type FileIdentity, type LinePosition, describes, identityKey, sameContent, sameFirstLine } from './file-identity';
import { FollowedFile, type FollowedLine, type ReadLimits, type StartAt } from './followed-file';
import { type SiblingFile, findCopy, listSiblings } from './rotated-sibling';

/** Rotated files remembered per path once read (logrotate keeps a handful). */
const RETIRED_KEPT = 8;

export interface PathFollowerOptions extends ReadLimits {
  /** A rotated or deleted file is closed once fully read and committed and unchanged for this long. */
  drainQuietMs: number;
  /** Most rotated files kept open at once per path; past it the oldest is closed (its unread tail is reported lost). */
  maxDraining: number;
}

/** What `status` shows for one open file. */
export interface FollowedFileStatus {
  dev: string;
  ino: string;
  offset: number;
  size: number;
  rotated: boolean;
}

export interface PathStatus {
  path: string;
  /** Files open for this path: rotated ones still being drained, then the current one. Empty while waiting. */
  files: FollowedFileStatus[];
  linesRead: number;
  linesTooLong: number;
  rotations: number;
  truncations: number;
  lastError: string | null;
}

/**
 * tail -F for one path. The file at the path is `current`; when the path starts naming another inode (rotation by
 * rename, deletion and re-creation, replacement) the old descriptor moves to `draining` and is read to its end
 * before being closed, since Asterisk keeps writing to it until `logger reload`.
 */
export class PathFollower {
  private current: FollowedFile | undefined;
  private draining: FollowedFile[] = [];
  private closedLines = 0;
  private closedTooLong = 0;
  private rotations = 0;
  private truncations = 0;
  private lastError: string | null = null;
  /** Final positions of the rotated files read to their end: at a restart they tell known files from unread ones. */
  private retired: LinePosition[] = [];

  constructor(
    readonly path: string,
    private readonly options: PathFollowerOptions,
  ) {}

  /**
   * Resumes from saved positions (undefined: never followed, so start at the end of an existing file, or at 0 when
   * `fromStart`). `reading` are the files the cursor says were still being read (reported when not found); `known`
   * are positions of files read before (fully read ones, the spool's checkpoints). Saved files no longer at the path
   * are looked for among the rotated siblings and drained first, as are siblings newer than them that no saved
   * position is about (rotated twice while stopped).
   */
  async start(saved: { reading: LinePosition[]; known: LinePosition[] } | undefined, fromStart: boolean): Promise<void> {
    const positions = saved ? [...saved.reading, ...saved.known] : [];
    const fresh: number | 'end' = saved === undefined && !fromStart ? 'end' : 0;
    this.current = await this.openAt(this.path, (id) => furthest(positions, id) ?? fresh);
    if (positions.length === 0) return;
    const siblings = await listSiblings(this.path);
    for (const p of positions) {
      if (this.openFiles().some((f) => describes(p, f.id))) continue;
      // Renamed (same inode, same content), or copied by copytruncate (same first line, another inode).
      const moved = siblings.find((s) => sameContent(p, s)) ?? findCopy(siblings, p);
      if (moved) await this.drainSibling(moved, positions);
      else if (saved?.reading.includes(p)) this.lastError = `rotated file of ${this.path} (inode ${p.ino}) not found at start: lines after offset ${p.offset} may be lost`;
    }
    const known = siblings.filter((s) => this.draining.some((f) => identityKey(f.id) === identityKey(s)));
    const oldestKnown = Math.min(...known.map((s) => s.mtimeMs));
    // Newer than a file we know, and holding a content we never read: rotated (or truncated and refilled, then rotated)
    // while we were stopped. A copy of a content we read is not unread, whatever its mtime: copies get the time of the
    // copy, or keep the original's.
    const unread = siblings.filter((s) => s.mtimeMs >= oldestKnown && !positions.some((p) => describes(p, s)));
    for (const s of unread.sort((a, b) => a.mtimeMs - b.mtimeMs)) await this.drainSibling(s, positions);
  }

  private async drainSibling(sibling: SiblingFile, positions: LinePosition[]): Promise<void> {
    if (this.follows(sibling)) return;
    const isIt = (id: FileIdentity): boolean => identityKey(id) === identityKey(sibling) && !this.follows(id);
    const file = await this.openAt(sibling.where, (id) => (isIt(id) ? (furthest(positions, id) ?? 0) : undefined));
    if (file) this.draining.push(file);
  }

  /**
   * Whether a file or its content is already being read. One descriptor per content: a sibling with the first line of
   * a file we read is logrotate's copy of it, made but not truncated yet; reading both would deliver its lines twice.
   * The copy takes over only when the truncation comes (onTruncated).
   */
  private follows(file: FileIdentity): boolean {
    return this.openFiles().some((f) => identityKey(f.id) === identityKey(file) || sameFirstLine(f.id, file));
  }

  /** Notices rotation, truncation, deletion and growth. Cheap: one stat of the path plus one fstat per open file. */
  async poll(): Promise<void> {
    const st = await stat(this.path, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') this.lastError = `cannot stat ${this.path}: ${error.message}`;
      return undefined;
    });
    const moved = st && this.current && (st.dev.toString() !== this.current.id.dev || st.ino.toString() !== this.current.id.ino);
    if (this.current && (!st || moved)) {
      this.draining.push(this.current);
      this.current = undefined;
      this.rotations++;
    }
    if (st && !this.current) this.current = await this.openAt(this.path, () => 0);
    for (const file of this.openFiles()) {
      if ((await file.refresh()) === 'truncated') await this.onTruncated(file);
    }
    await this.retireDrained();
  }

  /** copytruncate: the lines we had not read yet are in the copy logrotate just made; drain it from where we were. */
  private async onTruncated(file: FollowedFile): Promise<void> {
    this.truncations++;
    const before = file.beforeTruncation;
    if (!before || before.id.fingerprint === '') return;
    const found = findCopy(await listSiblings(this.path), before.id);
    if (!found || this.follows(found)) return;
    const copy = await this.openAt(found.where, (id) => (identityKey(id) === identityKey(found) ? 0 : undefined));
    if (!copy) return;
    copy.adopt(before);
    this.draining.push(copy);
  }

  /** Reads the next chunk of complete lines: rotated files first (they hold the older lines), then the current one. */
  async read(): Promise<FollowedLine[]> {
    for (const file of this.openFiles()) {
      while (file.hasUnread) {
        const lines = await file.readChunk();
        if (lines === 'truncated') {
          // Start over so that the copy's older lines come before the truncated file's new ones.
          await this.onTruncated(file);
          return this.read();
        }
        if (lines.length > 0) return lines;
      }
    }
    return [];
  }

  /** Records that everything up to `position` is handled. Positions of a file's previous content are ignored. */
  commit(position: LinePosition): boolean {
    const file = this.openFiles().find((f) => f.matches(position));
    file?.commit(position.offset);
    return file !== undefined;
  }

  /** What the cursor file keeps: the files being read, and the last ones read to their end. */
  positions(): { reading: LinePosition[]; known: LinePosition[] } {
    return { reading: this.openFiles().map((f) => ({ ...f.id, offset: f.committed })), known: this.retired };
  }

  status(): PathStatus {
    const files = this.openFiles();
    return {
      path: this.path,
      files: files.map((f) => ({ dev: f.id.dev, ino: f.id.ino, offset: f.committed, size: f.size, rotated: f !== this.current })),
      linesRead: this.closedLines + files.reduce((n, f) => n + f.linesRead, 0),
      linesTooLong: this.closedTooLong + files.reduce((n, f) => n + f.linesTooLong, 0),
      rotations: this.rotations,
      truncations: this.truncations,
      lastError: this.lastError,
    };
  }

  noteError(message: string): void {
    this.lastError = message;
  }

  async close(): Promise<void> {
    for (const file of this.openFiles()) await file.close();
    this.draining = [];
    this.current = undefined;
  }

  private openFiles(): FollowedFile[] {
    return this.current ? [...this.draining, this.current] : [...this.draining];
  }

  private async openAt(where: string, startAt: StartAt): Promise<FollowedFile | undefined> {
    try {
      return await FollowedFile.open(this.path, where, startAt, this.options);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') this.lastError = `cannot open ${where}: ${e.message}; check permissions (the agent runs as root or in group adm)`;
      return undefined;
    }
  }

  private async retireDrained(): Promise<void> {
    const now = Date.now();
    const keep: FollowedFile[] = [];
    for (const [i, file] of this.draining.entries()) {
      const quiet = file.drained && now - file.lastActivity >= this.options.drainQuietMs;
      const excess = this.draining.length - i > this.options.maxDraining;
      if (!quiet && !excess) {
        keep.push(file);
        continue;
      }
      if (!file.drained) this.lastError = `too many rotated files of ${this.path} open: closed inode ${file.id.ino} at ${file.readOffset} of ${file.size}`;
      this.closedLines += file.linesRead;
      this.closedTooLong += file.linesTooLong;
      if (file.drained) this.retired = [...this.retired, { ...file.id, offset: file.committed }].slice(-RETIRED_KEPT);
      await file.close();
    }
    this.draining = keep;
  }
}

/**
 * The furthest saved offset for the file just opened: same inode and content, or the same first line under another
 * inode (copytruncate's copy, or a file replaced by a copy of itself). undefined when none applies.
 */
function furthest(positions: LinePosition[], id: FileIdentity): number | undefined {
  let best: number | undefined;
  for (const p of positions) if (describes(p, id) && (best === undefined || p.offset > best)) best = p.offset;
  return best;
}
