import { type FileHandle, open } from 'node:fs/promises';
import { syncDirectory } from './atomic-file';
import { type Segment, scanSegment, segmentPath } from './spool-segment';

/** 'fdatasync' (default) makes each group of appends durable; 'none' leaves it to the kernel (faster, loses the last seconds on power loss). */
export type SpoolSync = 'fsync' | 'fdatasync' | 'none';

/** Appends to the newest segment, rolling to a new file past segmentBytes. Callers serialize calls. */
export class SegmentWriter {
  private active: { segment: Segment; handle: FileHandle } | undefined;

  constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly options: { segmentBytes: number; sync: SpoolSync },
  ) {}

  isActive(segment: Segment): boolean {
    return this.active?.segment === segment;
  }

  /** Continues the last segment found on open (its torn tail already cut off). */
  async resume(segment: Segment): Promise<void> {
    this.active = { segment, handle: await open(segment.path, 'a') };
  }

  /** Writes one group of encoded records (events firstSeq..lastSeq) and makes it durable. */
  async write(records: Buffer[], bytes: number, firstSeq: number, lastSeq: number): Promise<void> {
    if (!this.active || this.active.segment.bytes >= this.options.segmentBytes) await this.roll(firstSeq);
    const active = this.active!;
    try {
      await active.handle.writev(records);
      if (this.options.sync === 'fsync') await active.handle.sync();
      else if (this.options.sync === 'fdatasync') await active.handle.datasync();
    } catch (error) {
      // A write cut short leaves a torn record in the middle of the file: cut it off and start a fresh segment.
      await this.closeActive();
      await scanSegment(active.segment).catch(() => undefined);
      throw error;
    }
    active.segment.bytes += bytes;
    if (lastSeq >= firstSeq) active.segment.lastSeq = lastSeq;
  }

  async closeActive(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    await active?.handle.close();
  }

  private async roll(firstSeq: number): Promise<void> {
    await this.closeActive();
    const path = segmentPath(this.dir, firstSeq);
    let segment = this.segments.find((s) => s.path === path);
    if (!segment) {
      segment = { path, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
      this.segments.push(segment);
    }
    this.active = { segment, handle: await open(path, 'a', 0o600) };
    if (this.options.sync !== 'none') await syncDirectory(this.dir);
  }
}
