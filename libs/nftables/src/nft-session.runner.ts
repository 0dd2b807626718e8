import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { NftCli, NftError, commandLine, type NftCommandOptions, type NftRunner } from './nft.runner';

/** `describe ip ttl` needs no kernel state and prints this exact line: it marks the end of the previous command's output. */
const MARKER_COMMAND = 'describe ip ttl';
const MARKER_LINE = 'payload expression, datatype integer (integer), 8 bits\n';
/** Scripts up to this size go through the session; bigger ones (snapshots) through `nft -f -`. */
export const SESSION_MAX_SCRIPT = 8192;
const REPLY_TIMEOUT_MS = 10_000;

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Keeps one `nft -i` process and sends small batches to it as single lines (one line is one transaction). Starting
 * nft costs 15-25 ms on a small host, more than the whole budget of a one-ban delta; a kept process answers in about a
 * millisecond. Big scripts and reads go through a fresh process. If the session dies, the next batch starts a new one.
 */
export class NftSessionRunner implements NftRunner {
  private readonly cli: NftCli;
  private child: ChildProcessWithoutNullStreams | null = null;
  private output = '';
  private pending: Pending | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: NftCommandOptions = {}) {
    this.cli = new NftCli(options);
  }

  run(script: string): Promise<void> {
    if (script.length > SESSION_MAX_SCRIPT) return this.cli.run(script);
    const line = script.split('\n').filter((l) => l.trim() !== '').join('; ');
    if (line === '') return Promise.resolve();
    const next = this.queue.then(() => this.send(line));
    this.queue = next.catch(() => undefined);
    return next;
  }

  read(args: string[]): Promise<string> {
    return this.cli.read(args);
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
    });
  }

  private send(line: string): Promise<void> {
    const child = this.child ?? this.start();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new NftError(`nft session gave no answer in ${REPLY_TIMEOUT_MS} ms`, this.output)), REPLY_TIMEOUT_MS);
      this.pending = { resolve, reject, timer };
      this.output = '';
      child.stdin.write(`${line}\n${MARKER_COMMAND}\n`);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    // Through sh so that errors (stderr) and the marker (stdout) arrive in one stream, in order.
    const [command, args] = commandLine({ ...this.options, prefix: [...(this.options.prefix ?? []), 'sh', '-c', 'exec "$@" 2>&1', 'sh'] }, ['-i']);
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onOutput(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.fail(new NftError(`cannot run nft -i: ${error.message}`, '')));
    child.on('exit', (code) => {
      if (this.child === child) this.child = null;
      this.fail(new NftError(`nft session exited (${String(code)})`, this.output));
    });
    this.child = child;
    return child;
  }

  private onOutput(chunk: string): void {
    this.output += chunk;
    if (this.pending === null || !this.output.endsWith(MARKER_LINE)) return;
    const text = this.output.slice(0, -MARKER_LINE.length);
    const { resolve, reject, timer } = this.pending;
    this.pending = null;
    this.output = '';
    clearTimeout(timer);
    if (/^Error:/m.test(text)) reject(new NftError(`nft batch failed: ${text.split('\n')[0] ?? ''}`, text));
    else resolve();
  }

  private fail(error: NftError): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    clearTimeout(pending.timer);
    if (this.child !== null) this.child.kill();
    this.child = null;
    pending.reject(error);
  }
}
