#!/usr/bin/env node
// `npm run demo`: a live fleet on this machine. A server, three PBX agents following their own security logs,
// and a scripted attack written into those logs, with the bans printed as they happen, fleet-wide.
// As root with nftables and iproute2, each agent runs in a network namespace of its own and enforces the bans in its
// nftables, and probes from an attacker namespace show the attackers' packets dropped; otherwise agents run in dry-run.
//   --replay FILE   replay a real Asterisk log into pbx-1 instead of the scripted attack
//   --dry-run       dry-run agents even where namespaces and nftables are available
//   --exit          stop once the attack is judged (for tests and CI): exit 0 if the expected bans happened
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { SCENES, TRUNK } from './demo/attack.mjs';
import { demoDatabase } from './demo/postgres.mjs';
import { demoRedis } from './demo/redis.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { replay: { type: 'string' }, exit: { type: 'boolean' }, 'dry-run': { type: 'boolean' } } });
// The namespaces come from test/support/netns.ts, which the tests and benchmarks use too: TypeScript, loaded by tsx.
const { FleetNetwork, enforcementUnavailableReason } = await tsImport('./demo/fleet-network.ts', import.meta.url);
const work = join(root, '.fleetban', 'demo');
const AGENT = join(root, 'bin', 'fleetban-agent.js');
const PBXS = ['pbx-1', 'pbx-2', 'pbx-3'];
const say = (text) => process.stdout.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Every process the demo started, in start order: stopped in reverse, so PostgreSQL and Redis go last. */
const processes = [];
let network = null;
let stopping = false;

function track(child, label) {
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => !stopping && say(`[${label}] exited (${code ?? signal}):\n${output}`));
  processes.push({ child, label, output: () => output });
  return child;
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if ((await Promise.race([exited, sleep(5000).then(() => 'late')])) === 'late') child.kill('SIGKILL');
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('\nstopping the demo fleet...');
  for (const { child } of processes.reverse()) await stopChild(child);
  await network?.destroy();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const bin = (name, args, env = {}) => execFileSync(process.execPath, [join(root, 'bin', name), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

async function waitReady(url) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const status = await fetch(`${url}/health/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
  }
  throw new Error('the server did not become ready within 60 s');
}

/** Enrolls and starts one agent: in its namespace, enforcing in nftables, or in dry-run on this host. */
async function startAgent(pbx, serverUrl, serverEnv) {
  const { token } = JSON.parse(bin('fleetban-server.js', ['agent', 'add', pbx.name, '--json'], serverEnv));
  const dir = join(work, pbx.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'security'), '');
  const config = join(dir, 'agent.yaml');
  const enroll = [AGENT, 'enroll', '--server', serverUrl, '--token', token, '--config', config, '--log', join(dir, 'security'), '--state-dir', join(dir, 'state'), '--timezone', 'UTC'];
  if (pbx.netns) {
    await pbx.netns.exec([process.execPath, ...enroll]); // from inside: proves the namespace reaches the server
    track(pbx.netns.spawn(['env', 'FLEETBAN_LOG_LEVEL=warn', process.execPath, AGENT, 'run', '--config', config]), pbx.name);
  } else {
    execFileSync(process.execPath, [...enroll, '--dry-run', '--table', pbx.name.replace('-', '_')]);
    track(spawn(process.execPath, [AGENT, 'run', '--config', config], { env: { ...process.env, FLEETBAN_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] }), pbx.name);
  }
  return config;
}

/** What the fleet's firewalls hold and let through after the attack; the IPs whose outcome is not the expected one. */
async function judgeEnforcement(pbxs, configs) {
  const expected = flags.replay ? [] : SCENES.filter((s) => s.expectBan).map((s) => s.ip);
  say('\nwhat each PBX enforces now:');
  if (!network) {
    for (const pbx of pbxs) {
      const { bans } = JSON.parse(bin('fleetban-agent.js', ['status', '--config', configs.get(pbx.name), '--json']));
      say(`  ${pbx.name} (dry-run, would block): ${bans.length ? bans.join(', ') : '(nothing)'}`);
    }
    return [];
  }
  const wrong = new Set();
  for (const pbx of network.pbxs) {
    let elements = [];
    // The delta reaches each agent within a fraction of a second; a loaded machine gets 15 s.
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
      elements = await network.banned4(pbx);
      if (expected.every((ip) => elements.includes(ip))) break;
    }
    say(`  ${pbx.name}: nft list set inet fleetban banned4 = { ${elements.join(', ') || '(empty)'} }`);
    for (const ip of expected) if (!elements.includes(ip)) wrong.add(ip);
  }
  if (flags.replay) return [...wrong];
  say('\nUDP 5060 from the attacker namespace to each PBX:');
  const verdicts = await network.probe(SCENES.map((s) => s.ip));
  for (const pbx of network.pbxs) {
    const line = verdicts.filter((v) => v.pbx === pbx.name).map((v) => `${v.ip} ${v.reaches ? 'delivered' : 'dropped'}`);
    say(`  ${pbx.name}: ${line.join(', ')}`);
  }
  for (const v of verdicts) if (v.reaches === expected.includes(v.ip)) wrong.add(v.ip);
  return [...wrong];
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const unavailable = flags['dry-run'] ? 'asked with --dry-run' : enforcementUnavailableReason();
  say('fleetban demo: preparing PostgreSQL and Redis...');
  const database = await demoDatabase(await freePort(), track);
  const redis = await demoRedis(await freePort(), track, say);
  say(`${database.origin}\n${redis.origin}`);
  if (!unavailable) {
    network = await FleetNetwork.create(PBXS, SCENES.map((s) => s.ip));
    say(`network: a namespace per PBX (${network.pbxs.map((p) => `${p.name} ${p.address}`).join(', ')}) and one for the attackers, bridged to this host at ${network.serverAddress}`);
  }
  const pbxs = network ? network.pbxs : PBXS.map((name) => ({ name }));
  const host = network ? network.serverAddress : '127.0.0.1';
  const port = await freePort();
  const adminToken = `demo_${randomBytes(18).toString('base64url')}`;
  const serverEnv = { DATABASE_URL: database.url, REDIS_URL: redis.url, FLEETBAN_PORT: String(port), FLEETBAN_HOST: host, FLEETBAN_ADMIN_TOKEN: adminToken, FLEETBAN_REDIS_PREFIX: `demo-${randomBytes(4).toString('hex')}`, FLEETBAN_LOG_LEVEL: 'warn' };
  const url = `http://${host}:${port}`;
  track(spawn(process.execPath, [join(root, 'bin', 'fleetban-server.js'), 'start'], { env: { ...process.env, ...serverEnv }, stdio: ['ignore', 'pipe', 'pipe'] }), 'server');
  await waitReady(url);
  say(`server ready at ${url}`);
  const api = async (method, path, body) => {
    const response = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    return response.json();
  };

  if (network) {
    const closed = (await network.probe(SCENES.map((s) => s.ip))).filter((v) => !v.reaches);
    if (closed.length > 0) throw new Error(`before any ban, UDP 5060 already drops ${closed.map((v) => `${v.ip} at ${v.pbx}`).join(', ')}`);
    say('before the attack, every PBX receives UDP 5060 from all four attacker addresses');
  }
  const configs = new Map();
  for (const pbx of pbxs) configs.set(pbx.name, await startAgent(pbx, url, serverEnv));
  say(network ? '3 agents enrolled and running, each in its own namespace, enforcing in nftables (table inet fleetban)' : `3 agents enrolled and running in dry-run (why: ${unavailable}): they show what they would enforce, nftables untouched`);
  for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
    const agents = (await api('GET', '/agents')).items ?? [];
    if (agents.filter((a) => a.connected).length === 3) break;
    if (Date.now() > deadline) throw new Error('the 3 agents did not all connect within 60 s');
  }
  await api('POST', '/allowlist', { cidr: TRUNK, note: 'SIP trunk provider' });
  say(`allowlisted ${TRUNK} (the SIP trunk provider)\n`);

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
      for (const [pbx, line] of scene.lines()) {
        appendFileSync(join(work, pbx, 'security'), line);
        await sleep(150);
      }
      await sleep(1200);
    }
  }
  await sleep(2000);
  clearInterval(watch);

  const active = new Set(((await api('GET', '/bans')).items ?? []).map((b) => b.ip));
  const wrong = new Set(flags.replay ? [] : SCENES.filter((s) => active.has(s.ip) !== s.expectBan).map((s) => s.ip));
  for (const ip of await judgeEnforcement(pbxs, configs)) wrong.add(ip);
  const verdict = network ? 'every attacker is banned fleet-wide and dropped by every PBX; the trunk provider is not.' : 'every attacker is banned fleet-wide; the trunk provider is not.';
  say(wrong.size === 0 ? `\n${verdict}` : `\nunexpected: ${[...wrong].join(', ')}`);
  if (flags.exit) return stopAll(wrong.size === 0 ? 0 : 1);
  say(`\nThe fleet keeps running. Try it:
  admin API:   ${url}/api/v1        API docs: ${url}/api/docs
  admin token: ${adminToken}
  CLI:         npx fleetban --url ${url} --token ${adminToken} status asterisk${network ? `\n  firewall:    ip netns exec ${network.pbxs[0].netns.name} nft list table inet fleetban` : ''}
Press Ctrl-C to stop everything.`);
}

main().catch((error) => {
  if (process.env.FLEETBAN_DEMO_DEBUG) for (const { label, output } of processes) say(`--- ${label}:\n${output()}`);
  say(`demo failed: ${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ''}`);
  void stopAll(1);
});
