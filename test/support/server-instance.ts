import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createLogger } from '../../apps/server/src/logging/logger';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { createServerApp, type ServerApp } from '../../apps/server/src/app/server-app';
import type { ServerTunables } from '../../apps/server/src/app/server-tunables';
import { TEST_REDIS_URL } from './redis-prefix';

export const ROOT = join(__dirname, '..', '..');
export const SERVER_BIN = join(ROOT, 'bin', 'fleetban-server.js');

/** Tunables that keep tests fast. */
export const TEST_TUNABLES: Partial<ServerTunables> = { banFeedPollMs: 500, revocationPollMs: 500, sweepIntervalMs: 200, sweepAfterMs: 300 };

export function serverEnv(databaseUrl: string, redisPrefix: string, port = 0): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    FLEETBAN_REDIS_PREFIX: redisPrefix,
    FLEETBAN_HOST: '127.0.0.1',
    FLEETBAN_PORT: String(port),
    FLEETBAN_LOG_LEVEL: process.env.FLEETBAN_TEST_LOG_LEVEL ?? 'warn',
  };
}

/**
 * A server instance in this process on a free port (Nest app, real PostgreSQL, Redis and WebSocket).
 * `env` adds or overrides server environment variables (e.g. FLEETBAN_ADMIN_TOKEN).
 */
export async function startInProcess(databaseUrl: string, redisPrefix: string, tunables: Partial<ServerTunables> = {}, env: NodeJS.ProcessEnv = {}): Promise<ServerApp> {
  const config = loadServerConfig({ ...serverEnv(databaseUrl, redisPrefix), ...env });
  return createServerApp(config, { tunables: { ...TEST_TUNABLES, ...tunables }, logger: createLogger(config.logLevel, process.stderr) });
}

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built bin (bin/*.js) with `args` to completion, writing `input` to its stdin when given; returns its output. */
export function runBin(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<BinResult> {
  return runProcess(process.execPath, [bin, ...args], env, input);
}

/** Runs a command to its end with `input` on its standard input; resolves with its exit code and output. */
export async function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<BinResult> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // a command that exits without reading its stdin
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Runs the built `fleetban-server` with `args` to completion. */
export const runServerCommand = (args: string[], env: NodeJS.ProcessEnv): Promise<BinResult> => runBin(SERVER_BIN, args, env);

/** `fleetban-server start` as a child process (the built bin), ready when /health/ready answers 200. */
export async function startChildServer(env: NodeJS.ProcessEnv, port: number, timeoutMs = 90_000): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [SERVER_BIN, 'start'], { env: { ...env, FLEETBAN_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fleetban-server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return { child, url, output: () => output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fleetban-server not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}
