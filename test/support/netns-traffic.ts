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

// A kept process per namespace: starting node for every probe costs up to a second on a loaded host.
const SENDER = `
const dgram = require('node:dgram');
const sockets = new Map();
const socketFor = (host, source) => {
  const key = (host.includes(':') ? '6 ' : '4 ') + (source || '');
  if (!sockets.has(key)) {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', () => {});
    if (source) s.bind(0, source);
    sockets.set(key, s);
  }
  return sockets.get(key);
};
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  const lines = input.split('\\n');
  input = lines.pop();
  for (const line of lines) {
    const { id, host, port, text, count, source } = JSON.parse(line);
    const s = socketFor(host, source);
    let n = 0;
    const send = () => s.send(text, port, host, () => (++n < count ? setTimeout(send, 20) : process.stdout.write(id + '\\n')));
    send();
  }
});`;

class UdpSender {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  private sequence = 0;

  constructor(netns: Netns) {
    this.child = netns.spawn([process.execPath, '-e', SENDER]);
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const id of lines) {
        this.waiting.get(id)?.resolve();
        this.waiting.delete(id);
      }
    });
    this.child.once('exit', () => {
      for (const { reject } of this.waiting.values()) reject(new Error('the UDP sender exited'));
      this.waiting.clear();
    });
  }

  send(host: string, port: number, text: string, count: number, source?: string): Promise<void> {
    const id = String(++this.sequence);
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return reject(new Error('the UDP sender exited'));
      this.waiting.set(id, { resolve, reject });
      this.child.stdin?.write(`${JSON.stringify({ id, host, port, text, count, source })}\n`);
    });
  }
}

const senders = new WeakMap<Netns, UdpSender>();

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

  private constructor(
    readonly netns: Netns,
    private readonly child: ChildProcess,
  ) {}

  static start(netns: Netns, ports: number[]): Promise<TrafficListener> {
    const listener = new TrafficListener(netns, netns.spawn([process.execPath, '-e', LISTENER, ports.join(',')]));
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

/** Sends `count` datagrams carrying `text` from inside `netns`, from its address `source` when given (one of several). */
export function sendUdp(netns: Netns, host: string, port: number, text: string, count = 3, source?: string): Promise<void> {
  let sender = senders.get(netns);
  if (sender === undefined) {
    sender = new UdpSender(netns);
    senders.set(netns, sender);
  }
  return sender.send(host, port, text, count, source);
}

/**
 * Whether a few datagrams sent now from `from` reach `listener`. A "no" is only given once a marker sent afterwards
 * over the listener's own loopback has arrived, so a slow host cannot pass for a firewall that drops.
 */
export async function udpReaches(from: Netns, listener: TrafficListener, host: string, port: number, source?: string): Promise<boolean> {
  const text = `probe-${randomBytes(6).toString('hex')}`;
  await sendUdp(from, host, port, text, 3, source);
  if (await listener.waitFor(text, 300)) return true;
  const marker = `marker-${randomBytes(6).toString('hex')}`;
  await sendUdp(listener.netns, '127.0.0.1', port, marker, 1);
  if (!(await listener.waitFor(marker, 10_000))) throw new Error(`the listener in ${listener.netns.name} did not receive its loopback marker`);
  return listener.received.some((r) => r.text === text);
}

/** Opens a TCP connection from `netns`: `connected`, `timeout`, or the error code (`ECONNREFUSED` for a reset). */
export async function tcpConnect(netns: Netns, host: string, port: number, ms = 1000): Promise<string> {
  return (await netns.exec([process.execPath, '-e', CONNECT, host, String(port), String(ms)])).stdout;
}
