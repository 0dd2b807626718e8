// The demo's Redis: REDIS_URL when set, otherwise a redis-server of its own on a free loopback port, which keeps
// nothing on disk and leaves the machine's Redis alone. As root on Debian a missing redis-server is installed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function installRedis(say) {
  if (has('redis-server')) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    throw new Error('no redis-server here: install it (Debian/Ubuntu: sudo apt-get install redis-server), or set REDIS_URL to a Redis of yours');
  }
  say('redis-server is missing: installing it (apt-get install redis-server)');
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-q'], quiet);
  execFileSync('apt-get', ['install', '-y', '-q', 'redis-server'], quiet);
}

const pong = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.on('data', (data) => (socket.destroy(), resolve(data.toString().startsWith('+PONG'))));
    socket.on('error', () => resolve(false));
  });

/** The Redis URL for the demo, and a line saying which Redis it is. `track(child, label)` hands a started server to the demo. */
export async function demoRedis(port, track, say) {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, origin: 'Redis: REDIS_URL' };
  installRedis(say);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child, 'redis');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
    if (await pong(port)) return { url: `redis://127.0.0.1:${port}`, origin: `Redis: a redis-server of the demo's own on 127.0.0.1:${port} (REDIS_URL is not set)` };
    await sleep(100);
  }
  throw new Error('redis-server did not answer PING within 10 s');
}
