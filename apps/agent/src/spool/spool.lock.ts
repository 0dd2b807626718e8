import { open, readFile, stat, unlink } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../status/process-alive';

/**
 * Keeps a second agent off the same spool directory (two writers would interleave segments and delete each other's
 * files). A pid file created exclusively; a lock left by a dead process (kill -9) or before the last boot is taken over.
 * Returns the release function.
 */
export async function lockSpool(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // A lock older than the last boot is stale even if its pid now names another process.
    const sinceBoot = ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0) >= Date.now() - uptime() * 1000;
    if (holder > 0 && holder !== process.pid && sinceBoot && isProcessAlive(holder)) {
      throw new Error(`spool ${dir} is in use by process ${holder}: stop the other fleetban-agent first (or remove ${path} if that process is not an agent)`);
    }
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`cannot lock spool ${dir}: ${path} keeps reappearing; is another agent starting?`);
}

