import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentStatus, invalidAccountLine } from '../support/agent-process';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis-prefix';
import { freePort, ROOT, type BinResult } from '../support/server-instance';
import { createEmptyDatabase } from '../support/test-database';
import { interpolate, loadCompose } from './compose-file';
import { copiesOf, envOf, healthcheckOf, parseDockerfile } from './dockerfile';
import { stageImage, type StagedImage } from './image-layout';
import { makePrivateCa, opensslMissing } from './private-ca';

// Docker cannot run here. What can be checked without it: that every file the Dockerfiles COPY exists after a
// build, that the build context leaves the host's node_modules and dist out, and that the images' ENTRYPOINT and
// CMD run from exactly the files the image would hold (staged under a temporary root), as the image's user.
const DOCKERFILES = { server: join(ROOT, 'docker', 'server.Dockerfile'), agent: join(ROOT, 'docker', 'agent.Dockerfile') };
const ADMIN = 'images-admin-token-0123456789';
const ATTACKER = '203.0.113.77';
// The server image's USER: any unprivileged uid proves it needs neither root nor write access to its files.
const asImageUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** `pattern` of a .dockerignore (no `!`: checked below) as a test on a context-relative path. */
function ignores(pattern: string, path: string): boolean {
  const body = pattern
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(.*/)?');
  return new RegExp(`^${body}(/.*)?$`).test(path);
}
const ignorePatterns = (dockerfile: string): string[] =>
  readFileSync(`${dockerfile}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

/** ENTRYPOINT + args as a host command: `node` is this Node, absolute paths are the staged image's. */
function imageCommand(image: StagedImage, args: string[]): [string, string[]] {
  const [program, ...rest] = [...(image.stage.entrypoint ?? []), ...args].map((arg) => (arg.startsWith('/') ? image.inImage(arg) : arg));
  return [program === 'node' ? process.execPath : (program ?? ''), rest];
}

function startInImage(image: StagedImage, args: string[], env: NodeJS.ProcessEnv, user: object = {}): { child: ChildProcess; result: Promise<BinResult> } {
  const [program, rest] = imageCommand(image, args);
  const child = spawn(program, rest, { cwd: image.inImage('.'), env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d));
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  return { child, result: once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr })) };
}
/** A certificate and key for the server, readable by the image's user as files mounted into a container are. */
function tlsFiles(): { FLEETBAN_TLS_CERT: string; FLEETBAN_TLS_KEY: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-image-tls-'));
  const { certFile, keyFile } = makePrivateCa(dir);
  for (const path of [dir, certFile, keyFile]) chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  return { FLEETBAN_TLS_CERT: certFile, FLEETBAN_TLS_KEY: keyFile };
}
const runInImage = (image: StagedImage, args: string[], env: NodeJS.ProcessEnv, user: object = {}): Promise<BinResult> => startInImage(image, args, env, user).result;

describe('docker images, checked outside Docker', () => {
  let server: StagedImage;
  let agent: StagedImage;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    server = stageImage(DOCKERFILES.server);
    agent = stageImage(DOCKERFILES.agent);
  }, 120_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    server?.remove();
    agent?.remove();
  });

  it('finds every COPY source after a build', () => {
    expect(server.missing).toEqual([]);
    expect(agent.missing).toEqual([]);
    expect(existsSync(server.inImage('bin/fleetban-server.js')) && existsSync(server.inImage('prisma/migrations'))).toBe(true);
    expect(existsSync(server.inImage('node_modules/@nestjs/core')) && !existsSync(server.inImage('node_modules/vitest'))).toBe(true);
  });

  it('builds from a context without the host node_modules and dist, and with everything the build copies', () => {
    for (const dockerfile of Object.values(DOCKERFILES)) {
      const patterns = ignorePatterns(dockerfile);
      expect(patterns.filter((p) => p.startsWith('!'))).toEqual([]);
      for (const path of ['node_modules', 'apps/agent/node_modules', 'dist', 'dist/fleetban-agent.js', '.git']) expect(patterns.some((p) => ignores(p, path)), `${dockerfile}: ${path}`).toBe(true);
      const needed = ['package.json', 'package-lock.json', 'apps/server/src/main.ts', 'apps/agent/src/main.ts', 'libs/protocol/src/index.ts', 'prisma/schema.prisma', 'scripts/build.mjs', 'scripts/bundle-agent.mjs', 'bin/fleetban-server.js', 'tsconfig.json', 'nest-cli.json'];
      const copied = parseDockerfile(dockerfile).flatMap((stage) => copiesOf(stage).filter((c) => c.from === undefined).flatMap((c) => c.sources));
      for (const path of [...needed, ...copied.filter((s) => s !== '.')]) expect(patterns.some((p) => ignores(p, path)), `${dockerfile}: ${path}`).toBe(false);
    }
  });

  it('runs the server as a non-root user, and the agent as root (its nftables table needs CAP_NET_ADMIN)', () => {
    expect(server.stage.user).toBe('node');
    expect(agent.stage.user).toBeUndefined();
  });

  it("answers --help with each image's ENTRYPOINT", async () => {
    const serverHelp = await runInImage(server, ['--help'], { PATH: process.env.PATH, ...envOf(server.stage) }, asImageUser);
    expect(serverHelp.code, serverHelp.stderr).toBe(0);
    expect(serverHelp.stdout).toContain('fleetban-server start');
    const agentHelp = await runInImage(agent, ['--help'], { PATH: process.env.PATH });
    expect(agentHelp.code, agentHelp.stderr).toBe(0);
    expect(agentHelp.stdout).toContain('usage: fleetban-agent <command>');
  });

  it("starts compose's API and worker services with the image's CMD, healthy; the agent image's CMD joins them and enforces (dry run) a ban they decide", async () => {
    const db = await createEmptyDatabase('images');
    const redis = uniqueRedisPrefix('images');
    try {
      const compose = loadCompose();
      const [apiPort, workerPort] = [await freePort(), await freePort()];
      const envOfService = (name: string, port: number): NodeJS.ProcessEnv => ({
        PATH: process.env.PATH,
        ...envOf(server.stage),
        ...interpolate(compose.services[name]?.environment ?? {}, { FLEETBAN_ADMIN_TOKEN: ADMIN }),
        // What Docker's network would provide: this machine's PostgreSQL and Redis, a free loopback port.
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        FLEETBAN_REDIS_PREFIX: redis.prefix,
        FLEETBAN_HOST: '127.0.0.1',
        FLEETBAN_PORT: String(port),
        FLEETBAN_LOG_LEVEL: 'warn',
      });
      const apiEnv = envOfService('api-1', apiPort);
      // The worker serves TLS itself, so that the HEALTHCHECK is run in both of its modes.
      const workerEnv = { ...envOfService('worker', workerPort), ...(opensslMissing ? {} : tlsFiles()) };
      // Both start at once on an empty database, as compose starts them: migrations run once, under a lock.
      for (const env of [apiEnv, workerEnv]) children.push(startInImage(server, server.stage.cmd ?? [], env, asImageUser).child);
      const healthcheck = healthcheckOf(server.stage) ?? 'false';
      for (const env of [apiEnv, workerEnv]) {
        await expect.poll(async () => (await once(spawn('sh', ['-c', healthcheck], { env, stdio: 'ignore' }), 'exit'))[0], { timeout: 90_000, interval: 500 }).toBe(0);
      }

      const added = await runInImage(server, ['agent', 'add', 'pbx-image', '--json'], apiEnv, asImageUser);
      expect(added.code, added.stderr).toBe(0);
      const { token } = JSON.parse(added.stdout) as { token: string };
      // Where `docker run -v /var/log/asterisk:/var/log/asterisk:ro` puts Asterisk's log in the container.
      const log = agent.inImage('/var/log/asterisk/security');
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, '');
      // The image's CMD reads /etc/fleetban/agent.yaml: enroll writes it there (in the staged tree).
      const agentEnv = { PATH: process.env.PATH, FLEETBAN_DRY_RUN: '1', FLEETBAN_LOG_LEVEL: 'warn' };
      const config = agent.inImage('/etc/fleetban/agent.yaml');
      const enrolled = await runInImage(agent, ['enroll', '--server', `http://127.0.0.1:${apiPort}`, '--token', token, '--config', '/etc/fleetban/agent.yaml', '--log', '/var/log/asterisk/security', '--state-dir', '/var/lib/fleetban-agent', '--timezone', 'UTC'], agentEnv);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      children.push(startInImage(agent, agent.stage.cmd ?? [], agentEnv).child);
      await expect.poll(async () => (await agentStatus(config)).connected, { timeout: 30_000, interval: 250 }).toBe(true);

      // The asterisk jail bans at 3 attempts: the API instance ingests them, the worker decides, the agent enforces.
      for (let i = 0; i < 4; i++) appendFileSync(log, invalidAccountLine(ATTACKER, `10${i}`, `image-session-${i}`));
      await expect.poll(async () => (await agentStatus(config)).bans, { timeout: 30_000, interval: 250 }).toContain(ATTACKER);
    } finally {
      for (const child of children.splice(0)) {
        if (child.exitCode !== null) continue;
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await db.drop();
      await redis.cleanup();
    }
  }, 180_000);
});
