// When an address becomes an element of an nftables set in a namespace, as the kernel reports it: `nft monitor`
// prints each committed element addition as it happens, so no polling interval hides in the figures.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Netns } from '../../test/support/netns';

/** The sets of one table an address must be in, e.g. `{ table: 'fleetban', sets: ['banned4'] }`. */
export interface WatchedSets {
  table: string;
  sets: string[];
}

interface Waiter {
  missing: Set<string>;
  firstAt: number | null;
  resolve: (at: { first: number; all: number }) => void;
}

const PROBE_TABLE = 'fbwatch';

/** `nft monitor new elements` kept running in one namespace. */
export class NftElementWatch {
  private readonly waiters = new Map<string, Waiter>();
  /** Arrival times (performance.now()) of every addition, per `table set address`. */
  private readonly seen = new Map<string, number>();

  private constructor(
    readonly netns: Netns,
    private readonly monitor: ChildProcess,
  ) {
    const lines = createInterface({ input: monitor.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => this.onLine(line, performance.now()));
  }

  /** Starts the monitor and returns once it provably reports additions (a probe element seen). */
  static async start(netns: Netns, timeoutMs = 10_000): Promise<NftElementWatch> {
    const watch = new NftElementWatch(netns, netns.spawn(['nft', 'monitor', 'new', 'elements']));
    await netns.exec(['nft', '-f', '-'], `add table inet ${PROBE_TABLE}\nadd set inet ${PROBE_TABLE} probe { type ipv4_addr; }\n`);
    const deadline = Date.now() + timeoutMs;
    // The monitor subscribes a little after it starts: add probe elements until one shows, bounded in count and time.
    const probed = (): boolean => [...watch.seen.keys()].some((key) => key.startsWith(`${PROBE_TABLE} probe `));
    for (let n = 1; !probed(); n++) {
      if (Date.now() > deadline || n > 200) throw new Error(`nft monitor in ${netns.name} reported nothing within ${timeoutMs} ms`);
      await netns.exec(['nft', 'add', 'element', 'inet', PROBE_TABLE, 'probe', `{ 192.0.2.${n} }`]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await netns.exec(['nft', 'delete', 'table', 'inet', PROBE_TABLE]);
    return watch;
  }

  /**
   * Resolves with the times (performance.now()) at which `ip` was first in one of `where.sets`, and in all of them.
   * Call it before the action that adds the element; additions seen earlier count too.
   */
  waitFor(ip: string, where: WatchedSets, timeoutMs: number): Promise<{ first: number; all: number }> {
    return new Promise((resolve, reject) => {
      const keys = where.sets.map((set) => `${where.table} ${set} ${ip}`);
      const already = keys.map((key) => this.seen.get(key)).filter((t): t is number => t !== undefined);
      if (already.length === keys.length) return resolve({ first: Math.min(...already), all: Math.max(...already) });
      const timer = setTimeout(() => {
        this.waiters.delete(ip);
        reject(new Error(`${ip} not in ${where.table} ${where.sets.join('+')} of ${this.netns.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(ip, {
        missing: new Set(keys.filter((key) => !this.seen.has(key))),
        firstAt: already.length > 0 ? Math.min(...already) : null,
        resolve: (at) => (clearTimeout(timer), resolve(at)),
      });
    });
  }

  stop(): void {
    this.monitor.kill('SIGTERM');
  }

  // e.g. `add element inet fleetban banned4 { 198.51.100.7 timeout 59m59s expires 59m59s, 198.51.100.8 ... }`
  private onLine(line: string, at: number): void {
    const match = /^add element \S+ (\S+) (\S+) \{ (.*) \}$/.exec(line.trim());
    if (!match) return;
    const [, table, set, body] = match as unknown as [string, string, string, string];
    for (const element of body.split(', ')) {
      const ip = element.trim().split(' ')[0] ?? '';
      const key = `${table} ${set} ${ip}`;
      if (!this.seen.has(key)) this.seen.set(key, at);
      const waiter = this.waiters.get(ip);
      if (!waiter?.missing.delete(key)) continue;
      waiter.firstAt ??= at;
      if (waiter.missing.size === 0) {
        this.waiters.delete(ip);
        waiter.resolve({ first: waiter.firstAt, all: at });
      }
    }
  }
}
