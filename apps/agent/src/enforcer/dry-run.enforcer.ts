import { BanTargetValidator, isRefusal, type ApplyResult, type Ban, type BanDelta, type Refusal } from '@fleetban/nftables';
import type { Enforcer } from './enforcer';

export interface DryRunLog {
  info(obj: object, msg: string): void;
}

/**
 * Everything but the firewall: the same validation and refusals as the real enforcer, the bans it would
 * enforce kept for `status`, and each change logged as what would have been done.
 */
export class DryRunEnforcer implements Enforcer {
  private readonly enforced = new Map<string, Ban>();
  private readonly validator: BanTargetValidator;

  constructor(
    protectedEntries: readonly string[],
    private readonly log: DryRunLog,
  ) {
    this.validator = new BanTargetValidator(protectedEntries);
  }

  async ensureTable(): Promise<void> {
    this.log.info({}, 'dry run: nftables is left untouched');
  }

  async applySnapshot(bans: readonly Ban[], now: number): Promise<ApplyResult> {
    const removed = this.enforced.size;
    this.enforced.clear();
    const result = this.add(bans, now);
    this.log.info({ bans: this.enforced.size }, `dry run: would replace the banned sets with ${this.enforced.size} elements`);
    return { ...result, removed };
  }

  async applyDelta(delta: BanDelta, now: number): Promise<ApplyResult> {
    let removed = 0;
    for (const ip of delta.remove) if (this.enforced.delete(ip)) removed++;
    const result = this.add(delta.add, now);
    if (delta.add.length + delta.remove.length > 0) this.log.info({ add: delta.add.map((b) => b.ip), remove: delta.remove }, 'dry run: would update the banned sets');
    return { ...result, removed };
  }

  async close(): Promise<void> {}

  /** The addresses and networks that would be enforced. */
  bans(now: number): string[] {
    return [...this.enforced.values()].filter((b) => b.until === null || b.until > now).map((b) => b.ip);
  }

  private add(bans: readonly Ban[], now: number): ApplyResult {
    const refused: Refusal[] = [];
    let applied = 0;
    let expired = 0;
    for (const ban of bans) {
      const checked = this.validator.check(ban.ip);
      if (isRefusal(checked)) refused.push(checked);
      else if (ban.until !== null && ban.until <= now) expired++;
      else {
        this.enforced.set(ban.ip, ban);
        applied++;
      }
    }
    return { applied, removed: 0, refused, expired, shadowed: [], reassertAt: null };
  }
}
