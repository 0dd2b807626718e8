import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FileIdentity, readFingerprint, sameFirstLine } from './file-identity';

/** Compressed rotations cannot be read as text; their tail, if any was unread, is lost (and reported). */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;

/** A rotated sibling of a followed path: where it is now, what it is, how big. */
export interface SiblingFile extends FileIdentity {
  where: string;
  size: number;
  mtimeMs: number;
}

/**
 * The rotated siblings of `path` in its directory (security.1, security-20261129, security.old, ...; not the path
 * itself, not compressed ones), most recent rotation first.
 */
export async function listSiblings(path: string): Promise<SiblingFile[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const wanted = names
    .filter((n) => n.startsWith(base) && n !== base && !COMPRESSED.test(n) && !n.includes('.tmp'))
    .sort(byRotationAge)
    .map((n) => join(dir, n));
  const probes = await Promise.all(wanted.map((where) => probe(path, where)));
  return probes.filter((p) => p !== undefined);
}

/**
 * The copy logrotate's copytruncate made of a content we were reading: same first line, another inode. If several
 * (a truncate that failed, then another copy), the longest: it holds all the others do. It may be shorter than what
 * we read: lines written between logrotate's copy and its truncate are in no file any more.
 */
export function findCopy(siblings: SiblingFile[], of: FileIdentity): SiblingFile | undefined {
  const copies = siblings.filter((s) => sameFirstLine(s, of) && !(s.dev === of.dev && s.ino === of.ino));
  return copies.reduce<SiblingFile | undefined>((best, s) => (best === undefined || s.size > best.size ? s : best), undefined);
}

async function probe(path: string, where: string): Promise<SiblingFile | undefined> {
  const handle = await open(where, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) return undefined;
    const id = { path, where, dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
    return { ...id, fingerprint: await readFingerprint(handle) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The most recent rotations first (security.1 before security.2). */
function byRotationAge(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b, 'en', { numeric: true });
}
