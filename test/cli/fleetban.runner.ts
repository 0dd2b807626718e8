import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/server-instance';

export const CLI_BIN = join(ROOT, 'bin', 'fleetban.js');
export const CLI_BUILT = join(ROOT, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Fails early with what to do when the CLI is not built (npm test builds it: scripts/bootstrap.mjs). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_BUILT)) throw new Error(`${CLI_BUILT} is missing: run \`npm run build\` (npm test does it) before these tests`);
}

/**
 * Runs the built `fleetban` with `args` and only the FLEETBAN_* variables given in `env` (none inherited, so that an
 * operator's own FLEETBAN_TOKEN cannot leak into a test). Asynchronous: the server under test may run in this process.
 */
export async function fleetban(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FLEETBAN_')));
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** The JSON a `--json` run printed, after checking it succeeded. */
export function jsonOf<T>(result: CliResult): T {
  if (result.code !== 0) throw new Error(`fleetban exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
