import type { Readable, Writable } from 'node:stream';

/** What a command may touch: the process's streams and clock, passed in so specs can drive commands directly. */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  now(): number;
}

/** One `fleetban-agent <name>` command. `run` resolves to the process exit code. */
export interface AgentCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

/** Bad command line: the dispatcher prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
