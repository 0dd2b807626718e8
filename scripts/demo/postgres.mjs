// The demo's PostgreSQL: DATABASE_URL when set (this machine's: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres),
// otherwise an embedded one whose data stays in .fleetban/postgres (in /var/lib/fleetban-demo/postgres when the system
// user postgres, which runs it under root, cannot enter the project). A fresh fleetban_demo database either way.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EMBEDDED_DATA = join(root, '.fleetban', 'postgres');
const MACHINE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

const answers = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

/** Starts scripts/demo/embedded-postgres.mjs on `port`; resolves with its answer once the cluster accepts connections. */
function startEmbedded(port, track) {
  mkdirSync(dirname(EMBEDDED_DATA), { recursive: true });
  const child = spawn(process.execPath, [join(root, 'scripts', 'demo', 'embedded-postgres.mjs'), EMBEDDED_DATA, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  track(child, 'postgres');
  return new Promise((resolve, reject) => {
    // initdb and the first start take a few seconds, many more on a loaded machine
    const timer = setTimeout(() => reject(new Error('the embedded PostgreSQL did not start within 120 s')), 120_000);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (!output.includes('\n')) return;
      clearTimeout(timer);
      const answer = JSON.parse(output.slice(0, output.indexOf('\n')));
      if (answer.url) resolve(answer);
      else reject(new Error(`the embedded PostgreSQL failed: ${answer.error}`));
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the embedded PostgreSQL exited (${code})`))));
  });
}

/**
 * The URL of a fresh fleetban_demo database, and a line saying which PostgreSQL holds it.
 * `track(child, label)` hands the embedded cluster's process to the demo, which stops it last.
 */
export async function demoDatabase(port, track) {
  let base = process.env.DATABASE_URL;
  let origin = `PostgreSQL: DATABASE_URL (${new URL(base ?? MACHINE_URL).host})`;
  if (!base) {
    const embedded = await startEmbedded(port, track);
    base = embedded.url;
    origin = `PostgreSQL: embedded (DATABASE_URL is not set), data in ${embedded.dataDir}`;
    if (embedded.note) origin += `\n  (${embedded.note})`;
    if (await answers(5432)) origin += `\n  (to use the PostgreSQL answering on 127.0.0.1:5432 instead: DATABASE_URL=${MACHINE_URL} npm run demo)`;
  }
  const client = new pg.Client({ connectionString: base });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`no PostgreSQL at ${new URL(base).host} (${error.message}): fix DATABASE_URL, or unset it for an embedded one`, { cause: error });
  }
  try {
    await client.query('DROP DATABASE IF EXISTS fleetban_demo WITH (FORCE)');
    await client.query('CREATE DATABASE fleetban_demo');
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = '/fleetban_demo';
  return { url: url.toString(), origin };
}
