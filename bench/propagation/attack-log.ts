// The attacker as a PBX's security log shows it: failed REGISTERs of one address, each its own attempt (its own
// SessionID), appended to the log by a writer that keeps the file open as Asterisk does.
import { closeSync, openSync, writeSync } from 'node:fs';
import { invalidAccountLine } from '../../test/support/agent-process';

export class AttackLog {
  private readonly fd: number;
  private sequence = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Appends `count` failures of `ip` in one write; returns performance.now() taken just before the write. */
  fail(ip: string, count: number): number {
    const lines = Array.from({ length: count }, () => {
      const n = ++this.sequence;
      return invalidAccountLine(ip, String(1000 + (n % 9000)), `bench-${process.pid}-${n}`);
    }).join('');
    const at = performance.now();
    writeSync(this.fd, lines);
    return at;
  }

  close(): void {
    closeSync(this.fd);
  }
}
