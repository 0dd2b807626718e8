import { readJsonIfExists, writeFileAtomic } from '../spool/atomic-file';
import type { LinePosition } from './file-identity';

/** Per followed path: the files being read (rotated ones first, the current one last), the last ones read fully. */
export interface SavedPositions {
  reading: LinePosition[];
  known: LinePosition[];
}

interface CursorFile {
  version: 1;
  files: Record<string, LinePosition[]>;
  done?: Record<string, LinePosition[]>;
}

/**
 * The follower's persisted positions, one JSON file replaced atomically. It may lag behind what was handled (it is
 * flushed on a timer): the spool's checkpoints cover the difference, see README.md.
 */
export class CursorStore {
  constructor(private readonly file: string) {}

  async load(): Promise<Map<string, SavedPositions>> {
    const raw = (await readJsonIfExists(this.file)) as CursorFile | undefined;
    const byPath = new Map<string, SavedPositions>();
    if (raw === undefined) return byPath;
    if (raw.version !== 1 || typeof raw.files !== 'object' || raw.files === null) {
      throw new Error(`cursor file ${this.file} has an unknown format; remove it to start again at the end of the logs`);
    }
    const valid = (path: string, list: unknown): LinePosition[] => (Array.isArray(list) ? list.filter(isPosition).map((p) => ({ ...p, path })) : []);
    for (const [path, reading] of Object.entries(raw.files)) {
      byPath.set(path, { reading: valid(path, reading), known: valid(path, raw.done?.[path]) });
    }
    return byPath;
  }

  async save(byPath: Map<string, SavedPositions>): Promise<void> {
    const files: CursorFile['files'] = {};
    const done: Record<string, LinePosition[]> = {};
    for (const [path, saved] of byPath) {
      files[path] = saved.reading;
      done[path] = saved.known;
    }
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, files, done } satisfies CursorFile)}\n`);
  }
}

function isPosition(p: unknown): p is LinePosition {
  const c = p as Partial<LinePosition> | null;
  return typeof c?.dev === 'string' && typeof c.ino === 'string' && typeof c.fingerprint === 'string' && Number.isSafeInteger(c.offset);
}
