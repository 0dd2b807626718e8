import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FileIdentity, readFingerprint, statIdentity } from './file-identity';

/** Compressed rotations cannot be read as text; their tail, if any was unread, is lost (and reported). */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;

/**
 * Finds where the content of `wanted` lives now, among the followed path and its rotated siblings in the same
 * directory (security.1, security-20261129, security.old, ...): first by device and inode (rotation by rename), then
 * by the fingerprint of the first line with at least `minSize` bytes (the copy made by copytruncate).
 */
export async function findRotated(wanted: FileIdentity, minSize: number, skip?: string): Promise<string | undefined> {
  const dir = dirname(wanted.path);
  const base = basename(wanted.path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const candidates = names
    .filter((n) => n.startsWith(base) && !COMPRESSED.test(n) && !n.includes('.tmp'))
    .sort(byRotationAge)
    .map((n) => join(dir, n))
    .filter((p) => p !== skip);
  const probes = (await Promise.all(candidates.map(probe))).filter((p) => p !== undefined);
  const byInode = probes.find((p) => p.dev === wanted.dev && p.ino === wanted.ino);
  if (byInode) return byInode.path;
  if (wanted.fingerprint === '') return undefined;
  return probes.find((p) => p.fingerprint === wanted.fingerprint && p.size >= minSize)?.path;
}

async function probe(path: string): Promise<(FileIdentity & { size: number }) | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const st = await statIdentity(handle);
    return { path, dev: st.dev, ino: st.ino, size: st.size, fingerprint: await readFingerprint(handle) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The path itself first, then the most recent rotations (security.1 before security.2). */
function byRotationAge(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b, 'en', { numeric: true });
}
