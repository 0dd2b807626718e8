import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import { Allowlist } from '@fleetban/policy';
import type { Logger } from 'pino';
import type { Ban } from '../bans/ban';
import { BansService } from '../bans/bans.service';
import { ConfigChanges } from '../common/config-changes';
import { DomainError } from '../common/domain-error';
import { ReloadingCache } from '../common/reloading-cache';
import { LOGGER } from '../logging/logger';
import type { AllowlistEntry } from './allowlist-entry';
import { AllowlistRepository } from './allowlist.repository';

/** Addresses never banned. Adding one lifts the active bans it covers, at once, on every agent. */
@Injectable()
export class AllowlistService implements OnModuleInit {
  private readonly cache = new ReloadingCache(() => this.entries.list());
  /** The same entries indexed for the policy, built once per load rather than at every evaluation. */
  private readonly policyCache = new ReloadingCache(async () => new Allowlist((await this.cache.get()).map((e) => ({ cidr: e.cidr, note: e.note, agentId: e.agentId === null ? null : String(e.agentId) }))));
  private readonly log: Logger;

  constructor(
    private readonly entries: AllowlistRepository,
    private readonly bans: BansService,
    private readonly changes: ConfigChanges,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'allowlist' });
  }

  async onModuleInit(): Promise<void> {
    await this.changes.onChange('allowlist', () => this.invalidate());
  }

  list(): Promise<AllowlistEntry[]> {
    return this.cache.get();
  }

  /** The entries as the policy takes them, for evaluations. */
  forPolicy(): Promise<Allowlist> {
    return this.policyCache.get();
  }

  private invalidate(): void {
    this.cache.invalidate();
    this.policyCache.invalidate();
  }

  async add(input: { cidr: string; agentId: number | null; note: string | null }, by: string | null): Promise<{ entry: AllowlistEntry; lifted: Ban[] }> {
    const cidr = normalizeCidr(input.cidr, { strict: false });
    if (cidr === null) throw new DomainError('invalid_cidr', `"${input.cidr}" is not an IP address or CIDR`);
    const entry = await this.entries.add({ cidr, agentId: input.agentId, note: input.note, createdBy: by });
    this.invalidate();
    await this.changes.announce('allowlist');
    const lifted = await this.bans.liftOverlapping(cidr, input.agentId, 'allowlist', by);
    this.log.info({ cidr, agentId: input.agentId, by, lifted: lifted.map((b) => b.target) }, `allowlisted ${cidr}`);
    return { entry, lifted };
  }

  async remove(id: number, by: string | null): Promise<AllowlistEntry> {
    const entry = await this.entries.remove(id);
    if (!entry) throw new DomainError('allowlist_entry_not_found', `no allowlist entry ${id}; \`fleetban allow ls\` lists them`);
    this.invalidate();
    await this.changes.announce('allowlist');
    this.log.info({ cidr: entry.cidr, by }, `removed ${entry.cidr} from the allowlist`);
    return entry;
  }
}
