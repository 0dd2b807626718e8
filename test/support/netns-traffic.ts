import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Netns } from './netns';

/**
 * Traffic between namespaces, for firewall tests and the demo: a UDP+TCP listener that reports what it receives, a UDP
 * sender and a TCP connect probe, each a small node process run inside a namespace.
 */

const LISTENER = `
const dgram = require('node:dgram'), net = require('node:net');
const ports = process.argv[1].split(',').map(Number);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let ready = 0;
for (const port of ports) {
  const udp = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  udp.on('message', (m, r) => say({ proto: 'udp', port, from: r.address, text: m.toString() }));
  udp.bind(port, '::', () => {
    net.createServer((c) => c.end()).listen(port, '::', () => { if (++ready === ports.length) say({ ready: true }); });
  });
}`;

const SENDER = `
const [host, port, text, count] = process.argv.slice(1);
const s = require('node:dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4');
s.on('error', () => {});
let n = 0;
const send = () => s.send(text, Number(port), host, () => (++n < Number(count) ? setTimeout(send, 20) : s.close()));
send();`;

const CONNECT = `
const [host, port, ms] = process.argv.slice(1);
const c = require('node:net').connect({ host, port: Number(port) });
const done = (r) => { process.stdout.write(r); c.destroy(); process.exit(0); };
c.setTimeout(Number(ms), () => done('timeout'));
c.on('connect', () => done('connected'));
c.on('error', (e) => done(e.code || 'error'));`;

export interface Received {
  proto: 'udp';
  port: number;
  from: string;
  text: string;
}

/** Listens on UDP and TCP `ports` (IPv4 and IPv6) inside a namespace and remembers every datagram. */
export class TrafficListener {
  readonly received: Received[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {}

  static start(netns: Netns, ports: number[]): Promise<TrafficListener> {
    const listener = new TrafficListener(netns.spawn([process.execPath, '-e', LISTENER, ports.join(',')]));
    return new Promise((resolve, reject) => {
      let buffer = '';
      listener.child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const message = JSON.parse(line) as Received | { ready: true };
          if ('ready' in message) resolve(listener);
          else listener.push(message);
        }
      });
      listener.child.once('exit', (code) => reject(new Error(`listener exited (${String(code)}) before it was ready`)));
    });
  }

  /** True once a datagram carrying `text` arrived, false if none did within `ms`. */
  waitFor(text: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => this.received.some((r) => r.text === text);
      if (check()) return resolve(true);
      const timer = setTimeout(() => resolve(check()), ms);
      this.waiters.push(() => {
        if (check()) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }

  private push(message: Received): void {
    this.received.push(message);
    for (const waiter of this.waiters) waiter();
  }
}

/** Sends `count` datagrams carrying `text` from inside `netns`. */
export async function sendUdp(netns: Netns, host: string, port: number, text: string, count = 3): Promise<void> {
  await netns.exec([process.execPath, '-e', SENDER, host, String(port), text, String(count)]);
}

/** Whether a few datagrams sent now from `from` reach `listener` within `ms`. */
export async function udpReaches(from: Netns, listener: TrafficListener, host: string, port: number, ms = 700): Promise<boolean> {
  const text = `probe-${randomBytes(6).toString('hex')}`;
  await sendUdp(from, host, port, text);
  return listener.waitFor(text, ms);
}

/** Opens a TCP connection from `netns`: `connected`, `timeout`, or the error code (`ECONNREFUSED` for a reset). */
export async function tcpConnect(netns: Netns, host: string, port: number, ms = 1000): Promise<string> {
  return (await netns.exec([process.execPath, '-e', CONNECT, host, String(port), String(ms)])).stdout;
}
