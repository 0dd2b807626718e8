import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** How many bytes of the first line identify a file's content (enough to include Asterisk's timestamp). */
export const FINGERPRINT_BYTES = 256;

/**
 * Which file a position belongs to. dev and ino are decimal strings (inode numbers can exceed 2^53); the fingerprint
 * tells a file that reuses an inode, or that was overwritten in place, from the one we read before.
 */
export interface FileIdentity {
  /** The followed path (the name we were asked to follow, not the rotated name the file may have now). */
  path: string;
  dev: string;
  ino: string;
  /** sha1 of the first line (at most FINGERPRINT_BYTES), or '' while the file has no complete first line. */
  fingerprint: string;
}

/** A byte offset in one file: the position just after a line, i.e. where reading resumes. */
export interface LinePosition extends FileIdentity {
  offset: number;
}

export const identityKey = (id: Pick<FileIdentity, 'dev' | 'ino'>): string => `${id.dev}:${id.ino}`;

/**
 * Whether the file now at hand still holds what a saved position was about: same inode, and same first line unless
 * the saved one had none yet. A file that lost its known first line was truncated or rewritten: not the same.
 */
export function sameContent(saved: FileIdentity, now: FileIdentity): boolean {
  if (saved.dev !== now.dev || saved.ino !== now.ino) return false;
  return saved.fingerprint === '' || saved.fingerprint === now.fingerprint;
}

/**
 * Whether a saved position's offsets apply to this file: the same file still holding what we read, or a copy of that
 * content under another inode (copytruncate copies the bytes, so offsets carry over). Identical first lines in two
 * different contents would need the same second and the same event: the fingerprint includes Asterisk's timestamp.
 */
export function describes(saved: FileIdentity, file: FileIdentity): boolean {
  return sameContent(saved, file) || sameFirstLine(saved, file);
}

/** Same known first line: one content, whichever inode holds it (the original, or logrotate's copy of it). */
export function sameFirstLine(a: FileIdentity, b: FileIdentity): boolean {
  return a.fingerprint !== '' && a.fingerprint === b.fingerprint;
}

export async function statIdentity(handle: FileHandle): Promise<{ dev: string; ino: string; size: number }> {
  const st = await handle.stat({ bigint: true });
  return { dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size) };
}

/** Fingerprint of the file's first line, '' if it has none yet. */
export async function readFingerprint(handle: FileHandle): Promise<string> {
  const buf = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await handle.read(buf, 0, FINGERPRINT_BYTES, 0);
  const newline = buf.subarray(0, bytesRead).indexOf(10);
  if (newline < 0 && bytesRead < FINGERPRINT_BYTES) return '';
  const end = newline < 0 ? FINGERPRINT_BYTES : newline + 1;
  return createHash('sha1').update(buf.subarray(0, end)).digest('hex').slice(0, 20);
}
