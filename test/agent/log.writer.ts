import { closeSync, copyFileSync, existsSync, ftruncateSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { numbered } from './follower.helpers';

/**
 * Plays Asterisk plus logrotate on one log file: numbered lines appended through an O_APPEND descriptor, and the
 * ways a log moves. Like Asterisk, it keeps writing to the old descriptor after a rename until it "reloads".
 */
export class LogWriter {
  next = 0;
  /** Lines written to the original between copy() and truncate(): logrotate throws them away unless read in time. */
  readonly betweenCopyAndTruncate: number[] = [];
  private fd: number;
  private held = '';
  private copied = false;

  constructor(
    readonly path: string,
    private readonly keep = 4,
  ) {
    this.fd = openSync(path, 'a');
  }

  /** Appends `count` lines; with `splitLast`, the end of the last one waits for the next write (a half-written line). */
  write(count: number, splitLast = false): void {
    const text = this.held + numbered(this.next, count);
    const cut = splitLast ? text.length - 7 : text.length;
    writeSync(this.fd, text.slice(0, cut));
    this.held = text.slice(cut);
    if (this.copied) this.betweenCopyAndTruncate.push(...Array.from({ length: count }, (_, i) => this.next + i));
    this.next += count;
  }

  /** logrotate `create`: shift security.N, rename, then Asterisk writes `linesBeforeReload` more to the old file. */
  rotateRename(linesBeforeReload: number): void {
    this.write(0);
    this.shift();
    renameSync(this.path, `${this.path}.1`);
    this.write(linesBeforeReload);
    this.reopen();
  }

  /** logrotate `copytruncate`: copy to security.1, then truncate the file Asterisk keeps writing to. */
  copyTruncate(): void {
    this.copy();
    this.truncate();
  }

  /** copytruncate's first half (copying a big log takes logrotate a while); lines go on into the original. */
  copy(): void {
    this.write(0);
    this.shift();
    copyFileSync(this.path, `${this.path}.1`);
    this.copied = true;
  }

  /** copytruncate's second half. */
  truncate(): void {
    this.write(0);
    ftruncateSync(this.fd, 0);
    this.copied = false;
  }

  /** rm and re-create: lines written to the deleted file before the reopen are still readable by whoever holds it. */
  deleteRecreate(linesBeforeReopen: number): void {
    this.write(0);
    unlinkSync(this.path);
    this.write(linesBeforeReopen);
    this.reopen();
  }

  /** Another file with other content takes the path (mv over it). */
  replace(lines: number): void {
    this.write(0);
    const tmp = `${this.path}.new-${process.pid}`;
    writeFileSync(tmp, numbered(this.next, lines));
    this.next += lines;
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }

  close(): void {
    this.write(0);
    closeSync(this.fd);
  }

  private reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }

  private shift(): void {
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
  }
}

/** Calls `step` every `everyMs` until it returns false; resolves when done. */
export async function every(everyMs: number, step: (tick: number) => boolean): Promise<void> {
  for (let tick = 0; step(tick); tick++) await new Promise((r) => setTimeout(r, everyMs));
}
