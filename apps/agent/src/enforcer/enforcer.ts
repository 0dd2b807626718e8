import type { ApplyResult, Ban, BanDelta } from '@fleetban/nftables';

/** What the agent asks of whatever enforces bans: the kernel (nftables), or a dry run that only records. */
export interface Enforcer {
  ensureTable(): Promise<unknown>;
  applySnapshot(bans: readonly Ban[], now: number): Promise<ApplyResult>;
  applyDelta(delta: BanDelta, now: number): Promise<ApplyResult>;
  close(): Promise<void>;
}
