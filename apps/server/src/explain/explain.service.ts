import { Inject, Injectable } from '@nestjs/common';
import { CidrSet, normalizeIp } from '@fleetban/ip';
import { evaluateEachScope } from '@fleetban/policy';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import { AllowlistService } from '../allowlist/allowlist.service';
import { InputError } from '../api/input-error';
import { BanRepository } from '../bans/ban.repository';
import { toBanView } from '../bans/ban.view';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { toBanRecord } from '../engine/ban-record';
import { FailureWindow } from '../engine/failure-window';
import { EventsRepository } from '../events/events.repository';
import { JailsService } from '../jails/jails.service';


/** Everything known about one address: its failures, what each jail would decide now, its bans, its allowlist entries. */
@Injectable()
export class ExplainService {
  constructor(
    private readonly events: EventsRepository,
    private readonly bans: BanRepository,
    private readonly jails: JailsService,
    private readonly allowlist: AllowlistService,
    private readonly window: FailureWindow,
    private readonly agents: AgentDirectoryRepository,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  async explain(input: string) {
    const ip = normalizeIp(input.trim());
    if (ip === null) throw new InputError(`"${input}" is not an IP address`, 'ip');
    const now = Date.now();
    const [summary, history, jails, entries, policyEntries, names] = await Promise.all([
      this.events.failureSummary(ip),
      this.bans.covering(ip),
      this.jails.list(),
      this.allowlist.list(),
      this.allowlist.forPolicy(),
      this.agents.names(),
    ]);
    const horizon = Math.max(0, ...jails.map((j) => (j.findtime + j.attemptWindow) * 1000));
    const failures = jails.length > 0 ? await this.window.read(ip, horizon, now) : [];
    const records = history.map(toBanRecord);
    return {
      ip,
      allowlist: entries.filter((e) => new CidrSet([e.cidr]).has(ip)),
      failures: {
        total: summary.total,
        byAgent: Object.fromEntries([...summary.byAgent].map(([id, n]) => [names.get(id) ?? String(id), n])),
        byType: summary.byType,
        firstSeen: summary.firstSeen,
        lastSeen: summary.lastSeen,
      },
      jails: jails.map((jail) => ({
        name: jail.name,
        decisions: evaluateEachScope(jail, failures, records, policyEntries, now, { manualUnbanGraceS: this.config.unbanGraceS }).map((d) =>
          d.ban ? { ban: true, reason: d.reason, scope: d.scope, until: d.until } : { ban: false, code: d.code, reason: d.reason },
        ),
      })),
      bans: history.map((ban) => toBanView(ban, names, now)),
    };
  }
}
