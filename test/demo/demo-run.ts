import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { netnsUnavailableReason } from '../support/netns';

/** Whether the demo enforces in namespaces here (root, ip and nft), as scripts/demo/fleet-network.ts decides. */
export const ENFORCED = netnsUnavailableReason(['ip', 'nft']) === null;

export const ATTACKERS = ['203.0.113.10', '198.51.100.23', '192.0.2.77'];
export const TRUNK = '203.0.113.200';

export interface DemoRun {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output contains `text`; rejects if the demo exits first or `ms` pass. */
  waitFor: (text: string, ms: number) => Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `command` (the demo) in its own process group, so that a run past its bound can be killed whole. */
export function startDemo(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): DemoRun {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const watchers = new Set<() => void>();
  const append = (d: Buffer): void => {
    output += d.toString();
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (text: string, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no "${text}" within ${ms} ms:\n${output}`)), ms);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        watchers.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => (output.includes(text) ? finish() : undefined);
      watchers.add(check);
      void exited.then((code) => finish(new Error(`the demo exited (${String(code)}) before "${text}":\n${output}`)));
      check();
    });
  return { child, output: () => output, waitFor, exited };
}

/** Kills the whole process group of a demo that outlived its bound. */
export function killDemo(run: DemoRun): void {
  try {
    if (run.child.pid !== undefined) process.kill(-run.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The scripted attack's outcome as the demo prints it: bans, and where enforced, nftables elements and dropped probes. */
export function expectFleetBans(output: string): void {
  for (const ip of ATTACKERS) expect(output).toMatch(new RegExp(`BANNED ${ip.replace(/\./g, '\\.')} on every PBX`));
  expect(output).not.toContain(`BANNED ${TRUNK}`);
  expect(output).not.toContain('unexpected:');
  if (!ENFORCED) {
    expect(output).toContain('in dry-run (why: ');
    expect(output).toMatch(/pbx-3 \(dry-run, would block\): .*198\.51\.100\.23/);
    expect(output).toContain('every attacker is banned fleet-wide; the trunk provider is not.');
    return;
  }
  expect(output).toContain('each in its own namespace, enforcing in nftables');
  expect(output).toContain('before the attack, every PBX receives UDP 5060 from all four attacker addresses');
  for (const pbx of ['pbx-1', 'pbx-2', 'pbx-3']) {
    const set = new RegExp(`${pbx}: nft list set inet fleetban banned4 = \\{ (.*) \\}`).exec(output)?.[1];
    expect(set?.split(', ').sort()).toEqual([...ATTACKERS].sort());
    expect(output).toContain(`${pbx}: ${ATTACKERS.map((ip) => `${ip} dropped`).join(', ')}, ${TRUNK} delivered`);
  }
  expect(output).toContain('every attacker is banned fleet-wide and dropped by every PBX; the trunk provider is not.');
}

function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  return parents;
}

/** Every process below `pid` right now (children, their children...). */
export function descendants(pid: number): number[] {
  const parents = parentsByPid();
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}

/** Processes still alive among `pids`, zombies excluded (their parent is gone; init reaps them). */
export function stillRunning(pids: number[]): string[] {
  return pids.flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return [];
      return [`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`];
    } catch {
      return [];
    }
  });
}

/** Processes whose command line names `path` (a clone's folder): what a demo run there left behind. */
export function processesMentioning(path: string): string[] {
  return stillRunning([...parentsByPid().keys()]).filter((line) => line.includes(path) && !line.startsWith(`${process.pid}:`));
}

/** Network namespaces on this host whose name holds `fragment`. */
export function namespacesNamed(fragment: string): string[] {
  try {
    return readdirSync('/run/netns').filter((name) => name.includes(fragment));
  } catch {
    return [];
  }
}
