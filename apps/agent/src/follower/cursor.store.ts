import { readJsonIfExists, writeFileAtomic } from '../spool/atomic-file';
import type { LinePosition } from './file-identity';

interface CursorFile {
  version: 1;
  /** Per followed path, every file still being read: rotated ones being drained first, the current one last. */
  files: Record<string, LinePosition[]>;
}

/**
 * The follower's persisted positions, one JSON file replaced atomically. It may lag behind what was handled (it is
 * flushed on a timer): the spool's checkpoints cover the difference, see README.md.
 */
export class CursorStore {
  constructor(private readonly file: string) {}

  async load(): Promise<Map<string, LinePosition[]>> {
    const raw = (await readJsonIfExists(this.file)) as CursorFile | undefined;
    const byPath = new Map<string, LinePosition[]>();
    if (raw === undefined) return byPath;
    if (raw.version !== 1 || typeof raw.files !== 'object' || raw.files === null) {
      throw new Error(`cursor file ${this.file} has an unknown format; remove it to start again at the end of the logs`);
    }
    for (const [path, positions] of Object.entries(raw.files)) {
      byPath.set(path, positions.filter(isPosition).map((p) => ({ ...p, path })));
    }
    return byPath;
  }

  async save(byPath: Map<string, LinePosition[]>): Promise<void> {
    const files: CursorFile['files'] = {};
    for (const [path, positions] of byPath) files[path] = positions;
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, files } satisfies CursorFile)}\n`);
  }
}

function isPosition(p: unknown): p is LinePosition {
  const c = p as Partial<LinePosition> | null;
  return typeof c?.dev === 'string' && typeof c.ino === 'string' && typeof c.fingerprint === 'string' && Number.isSafeInteger(c.offset);
}
