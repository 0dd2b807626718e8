import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { defaultJails, parseJail, parseJailsYaml, type Jail } from '@fleetban/policy';
import type { Logger } from 'pino';
import { ConfigChanges } from '../common/config-changes';
import { DomainError } from '../common/domain-error';
import { ReloadingCache } from '../common/reloading-cache';
import { LOGGER } from '../logging/logger';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { JailRepository } from './jail.repository';

/** The jails of the fleet: stored in PostgreSQL, cached in every process, reloaded everywhere on change. */
@Injectable()
export class JailsService implements OnModuleInit {
  private readonly cache = new ReloadingCache(() => this.jails.list());
  private readonly log: Logger;

  constructor(
    private readonly jails: JailRepository,
    private readonly changes: ConfigChanges,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'jails' });
  }

  async onModuleInit(): Promise<void> {
    const added = await this.jails.addMissing(defaultJails());
    if (added.length > 0) this.log.info({ jails: added }, 'default jails installed');
    if (this.config.jailsFile) {
      // The file wins over what the database holds, jail by jail: it is how jails are managed as code.
      const jails = parseJailsYaml(readFileSync(this.config.jailsFile, 'utf8'));
      for (const jail of jails) await this.jails.save(jail);
      this.log.info({ file: this.config.jailsFile, jails: jails.map((j) => j.name) }, 'jails loaded from file');
    }
    await this.changes.onChange('jails', () => this.cache.invalidate());
  }

  list(): Promise<Jail[]> {
    return this.cache.get();
  }

  async enabled(): Promise<Jail[]> {
    return (await this.cache.get()).filter((jail) => jail.enabled);
  }

  async get(name: string): Promise<Jail> {
    const jail = (await this.cache.get()).find((j) => j.name === name);
    if (!jail) throw new DomainError('jail_not_found', `no jail named "${name}"; \`fleetban jails\` lists them`);
    return jail;
  }

  /** Validates and stores a jail (new or changed); every process uses it from its next evaluation. */
  async save(input: unknown, name?: string): Promise<Jail> {
    const jail = parseJail(input, name);
    await this.jails.save(jail);
    this.cache.invalidate();
    await this.changes.announce('jails');
    return jail;
  }
}
