import { Inject, Injectable } from '@nestjs/common';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import { AgentPresence } from '../agents/agent-presence';
import { BanRepository } from '../bans/ban.repository';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { CircuitBreaker } from '../engine/circuit-breaker';
import { EventsRepository } from '../events/events.repository';
import { JailsService } from '../jails/jails.service';


const MAX_LISTED = 10_000;

/** fail2ban-client's `status` for the whole fleet: per jail, failing and banned addresses; agents and their files. */
@Injectable()
export class StatusService {
  constructor(
    private readonly jails: JailsService,
    private readonly bans: BanRepository,
    private readonly events: EventsRepository,
    private readonly agents: AgentDirectoryRepository,
    private readonly presence: AgentPresence,
    private readonly breaker: CircuitBreaker,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  async status(jailName?: string) {
    const jails = jailName === undefined ? await this.jails.list() : [await this.jails.get(jailName)];
    const [counts, totalFailed, agents] = await Promise.all([this.bans.countsByJail(), this.events.countFailures(), this.agents.list()]);
    const now = Date.now();
    const jailStatus = await Promise.all(
      jails.map(async (jail) => {
        const active = await this.bans.search({ state: 'active', jail: jail.name }, MAX_LISTED, null);
        const banned = new Set(active.map((ban) => ban.target));
        const failing = await this.events.failingIps(new Date(now - jail.findtime * 1000), MAX_LISTED);
        const count = counts.get(jail.name) ?? { total: 0, active: 0 };
        return {
          name: jail.name,
          enabled: jail.enabled,
          scope: jail.scope,
          currentlyFailed: failing.filter((ip) => !banned.has(ip)).length,
          totalFailed,
          currentlyBanned: count.active,
          totalBanned: count.total,
          bannedIps: [...banned],
        };
      }),
    );
    const connected = await this.presence.connected(agents.map((a) => a.id));
    const breaker = await this.breaker.state(now, this.config.breakerLimitPerMinute);
    return {
      jails: jailStatus,
      agents: agents.filter((a) => !a.revoked).map((a) => ({ name: a.name, connected: connected.has(a.id), files: a.files })),
      breaker: { paused: breaker.paused, reason: breaker.reason },
    };
  }
}
