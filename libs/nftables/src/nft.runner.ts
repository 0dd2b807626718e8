import { spawn } from 'node:child_process';

/** The only door to the kernel's firewall: runs nft scripts and read commands. Tests and dry runs choose the implementation. */
export interface NftRunner {
  /** Runs `script` as one atomic transaction: all of it applies, or none of it. */
  run(script: string): Promise<void>;
  /** Runs a read-only command (e.g. `['-j', 'list', 'table', 'inet', 'fleetban']`) and returns what it printed. */
  read(args: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface NftCommandOptions {
  /** Put before `nft`, e.g. `['ip', 'netns', 'exec', 'pbx']` to work in a network namespace. */
  prefix?: string[];
  /** The nft binary. */
  nft?: string;
}

/** nft refused a command; `output` is what it printed (the error and the offending line). */
export class NftError extends Error {
  readonly code = 'NFT_FAILED';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

export function commandLine(options: NftCommandOptions, args: string[]): [string, string[]] {
  const [command, ...rest] = [...(options.prefix ?? []), options.nft ?? 'nft', ...args];
  return [command as string, rest];
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

/** Spawns nft once, feeds `input` on stdin, resolves with stdout, rejects with an NftError naming what to do next. */
export function execNft(options: NftCommandOptions, args: string[], input?: string): Promise<string> {
  const [command, rest] = commandLine(options, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? ': install nftables (apt-get install nftables) or fix the command prefix' : '';
      reject(new NftError(`cannot run ${command}${hint}: ${error.message}`, ''));
    });
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString();
      if (code === 0) return resolve(Buffer.concat(out).toString());
      const hint = /Operation not permitted/.test(stderr) ? ' (run as root or with CAP_NET_ADMIN)' : '';
      reject(new NftError(`nft ${args.join(' ')} failed (exit ${String(code)})${hint}: ${firstLine(stderr)}`, stderr));
    });
    child.stdin.on('error', () => undefined); // nft may exit before reading everything; 'close' reports why.
    child.stdin.end(input ?? '');
  });
}

/** Runs every command in a new nft process: `nft -f -` with the script on stdin. */
export class NftCli implements NftRunner {
  constructor(private readonly options: NftCommandOptions = {}) {}

  async run(script: string): Promise<void> {
    await execNft(this.options, ['-f', '-'], script);
  }

  read(args: string[]): Promise<string> {
    return execNft(this.options, args);
  }

  async close(): Promise<void> {}
}
