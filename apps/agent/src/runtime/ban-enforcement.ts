import { join } from 'node:path';
import type { Refusal } from '@fleetban/nftables';
import type { BansDeltaMessage, BansSnapshotMessage } from '@fleetban/protocol';
import { BanBook, type BanUpdate, type SavedBanBook } from '../bans/ban-book';
import type { Enforcer } from '../enforcer/enforcer';
import { readJsonIfExists, writeFileAtomic } from '../spool/atomic-file';

export interface EnforcementLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Re-assert the whole desired state this often: the kernel must match the book even if someone flushed our sets. */
const REASSERT_EVERY_MS = 5 * 60_000;

/**
 * The agent's bans: the book (what the fleet decided), the enforcer (what the kernel does), and the file that
 * lets a rebooted host enforce its last known bans before the server is reachable.
 */
export class BanEnforcement {
  private book = new BanBook();
  private readonly file: string;
  private timer: NodeJS.Timeout | null = null;
  /** Bans refused since the last report to the server, and every refusal for status. */
  refused: Refusal[] = [];
  private readonly reported = new Set<string>();
  appliedSeq = 0;
  lastError: string | null = null;

  constructor(
    stateDir: string,
    private readonly enforcer: Enforcer,
    private readonly log: EnforcementLog,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = join(stateDir, 'bans.json');
  }

  get seq(): number {
    return this.book.seq;
  }

  /** Prepares the table and enforces the bans saved at the last run. */
  async start(): Promise<void> {
    const saved = (await readJsonIfExists(this.file)) as SavedBanBook | undefined;
    if (saved) this.book = BanBook.restore(saved, this.clock());
    await this.enforcer.ensureTable();
    await this.reassert();
    this.appliedSeq = this.book.seq;
    this.timer = setInterval(() => void this.reassert(), REASSERT_EVERY_MS);
    this.timer.unref();
    if (saved) this.log.info({ bans: this.book.active(this.clock()).length, seq: this.book.seq }, 'enforcing the bans saved at the last run');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.enforcer.close();
  }

  /** Applies a snapshot part or a delta; returns the seq now enforced when the update is complete, else null. */
  async apply(message: BansSnapshotMessage | BansDeltaMessage): Promise<number | null> {
    const update = message.type === 'bans.snapshot' ? this.book.applySnapshot(message) : this.book.applyDelta(message);
    if (update === null) return null;
    await this.enforce(update);
    await writeFileAtomic(this.file, JSON.stringify(this.book.save(this.clock())));
    this.appliedSeq = update.seq;
    return update.seq;
  }

  /** The addresses and networks in force now. */
  active(): string[] {
    return this.book.active(this.clock()).map((ban) => ban.ip);
  }

  /** Takes the refusals not yet reported. */
  takeRefusals(): Refusal[] {
    const taken = this.refused.filter((r) => !this.reported.has(r.ip));
    for (const r of taken) this.reported.add(r.ip);
    return taken;
  }
  private async enforce(update: BanUpdate): Promise<void> {
    const now = this.clock();
    try {
      const result = update.kind === 'snapshot' ? await this.enforcer.applySnapshot(update.bans, now) : await this.enforcer.applyDelta({ add: update.add, remove: update.remove }, now);
      for (const refusal of result.refused) {
        if (!this.refused.some((r) => r.ip === refusal.ip)) this.refused.push(refusal);
        this.log.warn({ ip: refusal.ip, reason: refusal.reason }, `refusing to enforce the ban of ${refusal.ip}: ${refusal.reason}`);
      }
      if (update.kind === 'snapshot') this.refused = this.refused.filter((r) => update.bans.some((b) => b.ip === r.ip));
      this.lastError = null;
    } catch (error) {
      this.lastError = `applying bans failed: ${(error as Error).message}; the next update or the periodic re-assert retries`;
      this.log.error({ err: error }, this.lastError);
      throw error;
    }
  }

  private async reassert(): Promise<void> {
    try {
      await this.enforce({ kind: 'snapshot', seq: this.book.seq, bans: this.book.active(this.clock()) });
    } catch {
      // logged in enforce; retried at the next tick
    }
  }
}
