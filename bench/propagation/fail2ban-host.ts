// fail2ban as an operator runs it on one PBX, confined for a benchmark: fail2ban-server in its own network namespace
// (so its nftables action writes that namespace's ruleset, never the host's), with its socket, pid file, database
// and log in a temporary directory, the distribution's jail.conf, asterisk filter and nftables actions read as
// they are, and a jail.local that only points the asterisk jail at our log and sets its thresholds to ours.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from '../../test/support/netns';
import type { WatchedSets } from '../support/nft-element-watch';

export type Fail2banBackend = 'polling' | 'pyinotify';

const ETC = '/etc/fail2ban';
const SHARED_CONFIG = ['jail.conf', 'paths-common.conf', 'paths-debian.conf', 'fail2ban.conf', 'filter.d', 'action.d'];

/** Why fail2ban cannot run here with this backend, or null when it can. */
export function fail2banUnavailableReason(backend: Fail2banBackend): string | null {
  const server = spawnSync('sh', ['-c', 'command -v fail2ban-server'], { encoding: 'utf8' }).stdout.trim();
  if (server === '') return 'fail2ban is not installed (apt-get install fail2ban)';
  const missing = ['filter.d/asterisk.conf', 'action.d/nftables-multiport.conf', ...SHARED_CONFIG].filter((f) => !existsSync(join(ETC, f)));
  if (missing.length > 0) return `fail2ban's configuration lacks ${missing.join(', ')}`;
  if (backend === 'pyinotify') {
    // fail2ban imports pyinotify into its own interpreter, named on the first line of fail2ban-server.
    const python = /^#!\s*(\S+)/.exec(readFileSync(server, 'utf8'))?.[1] ?? 'python3';
    if (spawnSync(python, ['-c', 'import pyinotify'], { stdio: 'ignore' }).status !== 0) return `pyinotify is not installed for ${python} (apt-get install python3-pyinotify)`;
  }
  return null;
}

export class Fail2banHost {
  /** The sets fail2ban's asterisk jail bans into: its default action bans on TCP and on UDP, one set each. */
  static readonly SETS: WatchedSets = { table: 'f2b-table', sets: ['addr-set-asterisk-tcp', 'addr-set-asterisk-udp'] };

  private constructor(
    readonly netns: Netns,
    readonly backend: Fail2banBackend,
    readonly dir: string,
    /** The Asterisk security log this fail2ban follows. */
    readonly log: string,
    private readonly server: ChildProcess,
  ) {}

  /** Starts fail2ban-server in `netns`, returns once its asterisk jail has started. */
  static async start(netns: Netns, backend: Fail2banBackend, jail: { maxretry: number; findtime: number; bantime: number }): Promise<Fail2banHost> {
    const dir = mkdtempSync(join(tmpdir(), `fleetban-bench-f2b-${backend}-`));
    const conf = join(dir, 'conf');
    mkdirSync(conf);
    for (const file of SHARED_CONFIG) symlinkSync(join(ETC, file), join(conf, file));
    // No jail.d: Debian's defaults-debian.conf enables sshd, which has nothing to do here.
    writeFileSync(join(conf, 'fail2ban.local'), `[Definition]\nloglevel = INFO\nlogtarget = ${dir}/fail2ban.log\nsocket = ${dir}/fail2ban.sock\npidfile = ${dir}/fail2ban.pid\ndbfile = ${dir}/fail2ban.sqlite3\n`);
    const log = join(dir, 'security');
    writeFileSync(log, '');
    writeFileSync(
      join(conf, 'jail.local'),
      [
        '[DEFAULT]',
        // jail.conf's own nftables names for banaction; Debian's default is iptables-multiport.
        'banaction = nftables-multiport',
        'banaction_allports = nftables-allports',
        `backend = ${backend}`,
        '[asterisk]',
        'enabled = true',
        `logpath = ${log}`,
        'logtimezone = UTC',
        `maxretry = ${jail.maxretry}`,
        `findtime = ${jail.findtime}`,
        `bantime = ${jail.bantime}`,
        '',
      ].join('\n'),
    );
    const server = netns.spawn(['fail2ban-server', '-c', conf, '-f', '-x']);
    let output = '';
    server.stdout?.on('data', (d: Buffer) => (output += d));
    server.stderr?.on('data', (d: Buffer) => (output += d));
    const host = new Fail2banHost(netns, backend, dir, log, server);
    for (const deadline = Date.now() + 30_000; !host.logText().includes("Jail 'asterisk' started"); await new Promise((r) => setTimeout(r, 100))) {
      if (server.exitCode !== null || Date.now() > deadline) {
        await host.stop();
        throw new Error(`fail2ban-server (${backend}) did not start its asterisk jail:\n${output}\n${host.logText()}`);
      }
    }
    return host;
  }

  /** The backend fail2ban says it initiated (it falls back silently under `auto`, so ask it rather than assume). */
  initiatedBackend(): string | null {
    return /Initiated '(\w+)' backend/.exec(this.logText())?.[1] ?? null;
  }

  /** Resolves once fail2ban has logged `count` failures ("Found") of `ip`. */
  async waitForFound(ip: string, count: number, timeoutMs: number): Promise<void> {
    const needle = `[asterisk] Found ${ip} `;
    for (const deadline = Date.now() + timeoutMs; this.logText().split(needle).length - 1 < count; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > deadline) throw new Error(`fail2ban (${this.backend}) logged fewer than ${count} failures of ${ip} within ${timeoutMs} ms`);
    }
  }

  /** Stops fail2ban-server (its actionstop removes its table) and deletes its files. */
  async stop(): Promise<void> {
    if (this.server.exitCode === null) {
      const exited = once(this.server, 'exit');
      this.server.kill('SIGTERM');
      const timer = setTimeout(() => this.server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private logText(): string {
    const file = join(this.dir, 'fail2ban.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
}
