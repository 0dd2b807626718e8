#!/usr/bin/env node
// `npm run demo`: a live fleet on this machine. A server, three PBX agents following their own security logs,
// and a scripted attack written into those logs, with the bans printed as they happen, fleet-wide.
//   --replay FILE   replay a real Asterisk log into pbx-1 instead of the scripted attack
//   --exit          stop once the attack is judged (for tests and CI): exit 0 if the expected bans happened
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { replay: { type: 'string' }, exit: { type: 'boolean' } } });
const work = join(root, '.fleetban', 'demo');
const children = [];
const say = (text) => process.stdout.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function reachable(check) {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

/** DATABASE_URL, else the PostgreSQL of this machine; a fresh demo database either way. */
async function database() {
  const base = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: base });
  if (!(await reachable(() => client.connect()))) {
    throw new Error(`no PostgreSQL at ${base}: set DATABASE_URL, or install and start one (apt-get install postgresql)`);
  }
  await client.query('DROP DATABASE IF EXISTS fleetban_demo WITH (FORCE)');
  await client.query('CREATE DATABASE fleetban_demo');
  await client.end();
  const url = new URL(base);
  url.pathname = '/fleetban_demo';
  return url.toString();
}

/** REDIS_URL, else the Redis of this machine, else a redis-server started for the demo. */
async function redis() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const probe = () =>
    new Promise((resolve, reject) => {
      const socket = connect(6379, '127.0.0.1', () => (socket.end(), resolve()));
      socket.on('error', reject);
    });
  if (await reachable(probe)) return 'redis://127.0.0.1:6379';
  const port = await freePort();
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
  } catch {
    throw new Error('no Redis: set REDIS_URL, or install one (apt-get install redis-server)');
  }
  children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  await sleep(300);
  return `redis://127.0.0.1:${port}`;
}

const outputs = new Map();
function start(bin, args, env, label) {
  const child = spawn(process.execPath, [join(root, 'bin', bin), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20000)));
  child.on('exit', (code, signal) => !stopping && say(`[${label}] exited (${code ?? signal}):\n${output}`));
  children.push(child);
  outputs.set(label, () => output);
  return child;
}

function run(bin, args, env = {}) {
  return execFileSync(process.execPath, [join(root, 'bin', bin), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('\nstopping the demo fleet...');
  for (const child of children.reverse()) child.kill('SIGTERM');
  await sleep(1500);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const securityLine = (type, ip, account, session, extra = '') => {
  const now = new Date();
  const tv = now.toISOString().replace('Z', '+0000');
  return `[${now.toISOString().replace('T', ' ').slice(0, 19)}] SECURITY[4242] res_security_log.c: SecurityEvent="${type}",EventTV="${tv}",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="${account}",SessionID="${session}",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/${ip}/5060"${extra}\n`;
};

/** The scripted attack: who does what, where, and what we expect fleetban to do about it. */
const SCENES = [
  { title: 'a SIP scanner guesses extensions on pbx-1', ip: '203.0.113.10', expectBan: true, lines: [100, 101, 102, 103, 104].map((ext, i) => ['pbx-1', securityLine('InvalidAccountID', '203.0.113.10', String(ext), `scan-${i}@203.0.113.10`)]) },
  { title: 'a password guesser tries extension 200 on pbx-2', ip: '198.51.100.23', expectBan: true, lines: [0, 1, 2, 3].map((i) => ['pbx-2', securityLine('ChallengeResponseFailed', '198.51.100.23', '200', `guess-${i}@198.51.100.23`, `,Challenge="1732890000/nonce${i}",Response="resp${i}",ExpectedResponse=""`)]) },
  { title: 'a slow scanner touches each PBX once', ip: '192.0.2.77', expectBan: true, lines: ['pbx-1', 'pbx-2', 'pbx-3'].map((pbx, i) => [pbx, securityLine('InvalidAccountID', '192.0.2.77', `${300 + i}`, `slow-${i}@192.0.2.77`)]) },
  { title: "the trunk provider's address fails a few times (it is allowlisted)", ip: '203.0.113.200', expectBan: false, lines: [0, 1, 2, 3].map((i) => ['pbx-3', securityLine('ChallengeResponseFailed', '203.0.113.200', 'trunk', `trunk-${i}@203.0.113.200`)]) },
];

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  say('fleetban demo: preparing PostgreSQL and Redis...');
  const databaseUrl = await database();
  const redisUrl = await redis();
  const port = await freePort();
  const adminToken = `demo_${randomBytes(18).toString('base64url')}`;
  const serverEnv = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, FLEETBAN_PORT: String(port), FLEETBAN_HOST: '127.0.0.1', FLEETBAN_ADMIN_TOKEN: adminToken, FLEETBAN_REDIS_PREFIX: `demo-${randomBytes(4).toString('hex')}`, FLEETBAN_LOG_LEVEL: 'warn' };
  const url = `http://127.0.0.1:${port}`;
  start('fleetban-server.js', ['start'], serverEnv, 'server');
  for (let i = 0; ; i++) {
    if (await reachable(async () => { if ((await fetch(`${url}/health/ready`)).status !== 200) throw new Error(); })) break;
    if (i > 300) throw new Error('the server did not become ready within 30 s');
    await sleep(100);
  }
  say(`server ready at ${url}`);
  const api = async (method, path, body) => {
    const response = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    return response.json();
  };

  const pbxs = ['pbx-1', 'pbx-2', 'pbx-3'];
  for (const pbx of pbxs) {
    const { token } = JSON.parse(run('fleetban-server.js', ['agent', 'add', pbx, '--json'], serverEnv));
    const dir = join(work, pbx);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'security'), '');
    run('fleetban-agent.js', ['enroll', '--server', url, '--token', token, '--config', join(dir, 'agent.yaml'), '--log', join(dir, 'security'), '--state-dir', join(dir, 'state'), '--timezone', 'UTC', '--dry-run', '--table', pbx.replace('-', '_')]);
    start('fleetban-agent.js', ['run', '--config', join(dir, 'agent.yaml')], { FLEETBAN_LOG_LEVEL: 'warn' }, pbx);
  }
  say('3 agents enrolled and running (dry-run: they show what they would enforce, nftables untouched)');
  for (;;) {
    const agents = (await api('GET', '/agents')).items ?? [];
    if (agents.filter((a) => a.connected).length === 3) break;
    await sleep(200);
  }
  await api('POST', '/allowlist', { cidr: '203.0.113.200', note: 'SIP trunk provider' });
  say('allowlisted 203.0.113.200 (the SIP trunk provider)\n');

  const seen = new Set();
  const watch = setInterval(async () => {
    const bans = (await api('GET', '/bans').catch(() => ({ items: [] }))).items ?? [];
    for (const ban of bans.reverse()) {
      if (seen.has(ban.id)) continue;
      seen.add(ban.id);
      const until = ban.expiresAt ? `until ${ban.expiresAt.slice(11, 19)} UTC` : 'permanently';
      say(`  BANNED ${ban.ip} on every PBX ${until} [jail ${ban.jail ?? 'manual'}]: ${ban.reason}`);
    }
  }, 200);

  if (flags.replay) {
    say(`replaying ${flags.replay} into pbx-1's security log`);
    appendFileSync(join(work, 'pbx-1', 'security'), readFileSync(flags.replay));
  } else {
    for (const scene of SCENES) {
      say(`> ${scene.title} (${scene.ip})`);
      for (const [pbx, line] of scene.lines) {
        appendFileSync(join(work, pbx, 'security'), line);
        await sleep(150);
      }
      await sleep(1200);
    }
  }
  await sleep(2000);
  clearInterval(watch);

  const active = new Set(((await api('GET', '/bans')).items ?? []).map((b) => b.ip));
  say('\nwhat each PBX enforces now:');
  for (const pbx of pbxs) {
    const status = JSON.parse(run('fleetban-agent.js', ['status', '--config', join(work, pbx, 'agent.yaml'), '--json']));
    say(`  ${pbx}: ${status.bans.length ? status.bans.join(', ') : '(nothing)'}`);
  }
  const wrong = flags.replay ? [] : SCENES.filter((s) => active.has(s.ip) !== s.expectBan);
  say(wrong.length === 0 ? '\nevery attacker is banned fleet-wide; the trunk provider is not.' : `\nunexpected: ${wrong.map((s) => s.ip).join(', ')}`);
  if (flags.exit) return stopAll(wrong.length === 0 ? 0 : 1);
  say(`\nThe fleet keeps running. Try it:
  admin API:   ${url}/api/v1        API docs: ${url}/api/docs
  admin token: ${adminToken}
  CLI:         npx fleetban --url ${url} --token ${adminToken} status asterisk
Press Ctrl-C to stop everything.`);
}

main().catch((error) => {
  if (process.env.FLEETBAN_DEMO_DEBUG) for (const [label, output] of outputs) say(`--- ${label}:\n${output()}`);
  say(`demo failed: ${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ""}`);
  void stopAll(1);
});
