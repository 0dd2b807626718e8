import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { normalizeCidr } from '@fleetban/ip';
import type { AllowlistEntry as PolicyAllowlistEntry } from '@fleetban/policy';
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
    await this.changes.onChange('allowlist', () => this.cache.invalidate());
  }

  list(): Promise<AllowlistEntry[]> {
    return this.cache.get();
  }

  /** The entries in the policy's shape, for evaluations. */
  async forPolicy(): Promise<PolicyAllowlistEntry[]> {
    return (await this.cache.get()).map((e) => ({ cidr: e.cidr, note: e.note, agentId: e.agentId === null ? null : String(e.agentId) }));
  }

  async add(input: { cidr: string; agentId: number | null; note: string | null }, by: string | null): Promise<{ entry: AllowlistEntry; lifted: Ban[] }> {
    const cidr = normalizeCidr(input.cidr, { strict: false });
    if (cidr === null) throw new DomainError('invalid_cidr', `"${input.cidr}" is not an IP address or CIDR`);
    const entry = await this.entries.add({ cidr, agentId: input.agentId, note: input.note, createdBy: by });
    this.cache.invalidate();
    await this.changes.announce('allowlist');
    const lifted = await this.bans.liftOverlapping(cidr, input.agentId, 'allowlist', by);
    this.log.info({ cidr, agentId: input.agentId, by, lifted: lifted.map((b) => b.target) }, `allowlisted ${cidr}`);
    return { entry, lifted };
  }

  async remove(id: number, by: string | null): Promise<AllowlistEntry> {
    const entry = await this.entries.remove(id);
    if (!entry) throw new DomainError('allowlist_entry_not_found', `no allowlist entry ${id}; \`fleetban allow ls\` lists them`);
    this.cache.invalidate();
    await this.changes.announce('allowlist');
    this.log.info({ cidr: entry.cidr, by }, `removed ${entry.cidr} from the allowlist`);
    return entry;
  }
}
