import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-instance';

// A newcomer who is root clones into /root/fleetban (/root is 0700). PostgreSQL will not run as root, so the embedded
// cluster runs as the system user postgres, which cannot enter that folder: neither its binaries in node_modules nor
// its data in .fleetban/postgres. Here a copy of what scripts/demo/embedded-postgres.mjs needs sits in a 0700 folder,
// and the folder the postgres user can reach (/var/lib/fleetban-demo for the demo) is one of this test's own.
const ROOT_USER = process.getuid?.() === 0;
const PLATFORM_PACKAGE = join('@embedded-postgres', `${process.platform}-${process.arch}`);
const START_MS = 120_000;

interface Cluster {
  child: ChildProcessWithoutNullStreams;
  answer: { url?: string; dataDir?: string; note?: string; error?: string };
}

describe.skipIf(!ROOT_USER)('the embedded PostgreSQL of a project the system user postgres cannot enter', () => {
  const privateDir = mkdtempSync(join(tmpdir(), 'fleetban-private-'));
  const project = join(privateDir, 'fleetban');
  const sharedParent = mkdtempSync(join(tmpdir(), 'fleetban-shared-'));
  const shared = join(sharedParent, 'fleetban-demo');
  const started: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    for (const child of started) child.kill('SIGKILL');
    rmSync(privateDir, { recursive: true, force: true });
    rmSync(sharedParent, { recursive: true, force: true });
  });

  it('runs its cluster from binaries and data placed where that user can reach, and starts it again from them', async () => {
    copyProject(project);
    chmodSync(sharedParent, 0o755); // as /var/lib is
    const postgresUser = { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) };
    expect(spawnSync('test', ['-x', project], postgresUser).status, 'the postgres user can enter the project').not.toBe(0);
    const port = await freePort();

    const first = await startCluster(project, port, shared, started);
    expect(first.answer.error).toBeUndefined();
    expect(first.answer.dataDir).toBe(join(shared, 'postgres'));
    expect(first.answer.note).toContain(`cannot enter ${project}`);
    const { dataDirectory, postmasterExe } = await inspect(first.answer.url as string, shared);
    expect(dataDirectory).toBe(join(shared, 'postgres'));
    expect(postmasterExe).toBe(join(shared, 'node_modules', PLATFORM_PACKAGE, 'native', 'bin', 'postgres'));
    expect(statSync(join(shared, 'postgres')).uid).toBe(postgresUser.uid);
    for (const dir of [shared, join(shared, 'node_modules')]) expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(existsSync(join(project, '.fleetban', 'postgres'))).toBe(false);
    const binary = statSync(join(shared, 'node_modules', PLATFORM_PACKAGE, 'native', 'bin', 'postgres')).ino;
    await query(first.answer.url as string, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$first run$$)');
    await stopCluster(first);

    // The second start finds the copy made for this package version, the cluster's data and its password.
    const second = await startCluster(project, port, shared, started);
    expect(second.answer.error).toBeUndefined();
    expect(statSync(join(shared, 'node_modules', PLATFORM_PACKAGE, 'native', 'bin', 'postgres')).ino).toBe(binary);
    expect(await query(second.answer.url as string, 'SELECT note FROM kept')).toEqual([{ note: 'first run' }]);
    await stopCluster(second);
  }, 4 * START_MS);

  it('says so, rather than failing in initdb, when the postgres user cannot enter that folder either', async () => {
    if (!existsSync(project)) copyProject(project);
    const closedParent = join(privateDir, 'closed'); // inside the 0700 folder
    const cluster = await startCluster(project, await freePort(), join(closedParent, 'fleetban-demo'), started);
    expect(cluster.answer.url).toBeUndefined();
    expect(cluster.answer.error).toContain(`the system user postgres cannot enter ${join(closedParent, 'fleetban-demo')} either`);
    expect(await new Promise((resolve) => (cluster.child.exitCode !== null ? resolve(cluster.child.exitCode) : cluster.child.once('exit', resolve)))).toBe(1);
  }, START_MS);
});

/** What embedded-postgres.mjs needs of a clone after npm ci: itself, and the packages it imports, really inside. */
function copyProject(project: string): void {
  mkdirSync(join(project, 'node_modules', '@embedded-postgres'), { recursive: true });
  cpSync(join(ROOT, 'scripts', 'demo'), join(project, 'scripts', 'demo'), { recursive: true, filter: (path) => !path.endsWith('.ts') });
  for (const name of ['embedded-postgres', PLATFORM_PACKAGE]) {
    execFileSync('cp', ['-a', join(ROOT, 'node_modules', name), join(project, 'node_modules', dirname(name))]);
  }
  // Plain JavaScript that only root's node process loads: links into this tree are enough.
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'embedded-postgres', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies)) symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name));
}

function startCluster(project: string, port: number, shared: string, started: ChildProcessWithoutNullStreams[]): Promise<Cluster> {
  const script = join(project, 'scripts', 'demo', 'embedded-postgres.mjs');
  const child = spawn(process.execPath, [script, join(project, '.fleetban', 'postgres'), String(port), shared], { stdio: 'pipe' });
  started.push(child);
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${START_MS} ms: ${errors}`)), START_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('\n')) return;
      clearTimeout(timer);
      resolve({ child, answer: JSON.parse(output.slice(0, output.indexOf('\n'))) as Cluster['answer'] });
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited (${String(code)}) without answering: ${errors}`))));
  });
}

/** The script stops its cluster when its standard input closes, as when the demo exits. */
async function stopCluster({ child }: Cluster): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(0);
}

async function inspect(url: string, shared: string): Promise<{ dataDirectory: string; postmasterExe: string }> {
  const [row] = await query(url, 'SELECT current_setting($$data_directory$$) AS dir');
  const postmaster = Number(readFileSync(join(shared, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { dataDirectory: String(row?.dir), postmasterExe: readlinkSync(`/proc/${postmaster}/exe`) };
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const results: unknown = await client.query(sql);
    const last = Array.isArray(results) ? (results.at(-1) as { rows: Record<string, unknown>[] }) : (results as { rows: Record<string, unknown>[] });
    return last.rows;
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
