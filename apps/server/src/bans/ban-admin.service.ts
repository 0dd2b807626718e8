import { Injectable } from '@nestjs/common';
import { describeAllowlistMatch, findAllowlistMatch } from '@fleetban/policy';
import { AgentDirectoryRepository } from '../agents/agent-directory.repository';
import { AllowlistService } from '../allowlist/allowlist.service';
import { DomainError } from '../common/domain-error';
import { InputError } from '../api/input-error';
import { JailsService } from '../jails/jails.service';
import type { BanFilter } from './ban.repository';
import { BanRepository } from './ban.repository';
import { toBanView, type BanView } from './ban.view';
import { BansService } from './bans.service';
import { banDurationInput, banTarget, notBanned } from './manual-ban';

export interface ManualBanInput {
  ip: string;
  duration?: string | number;
  permanent?: boolean;
  reason?: string;
  jail?: string;
  agent?: string;
}

/** What admins do to bans through the API: list, inspect, ban by hand, lift. */
@Injectable()
export class BanAdminService {
  constructor(
    private readonly bans: BansService,
    private readonly repository: BanRepository,
    private readonly allowlist: AllowlistService,
    private readonly jails: JailsService,
    private readonly agents: AgentDirectoryRepository,
  ) {}

  async list(filter: { state: BanFilter['state']; jail?: string; agent?: string; ip?: string }, limit: number, beforeId: bigint | null): Promise<BanView[]> {
    const agentId = filter.agent === undefined ? undefined : await this.agentId(filter.agent, 'agent');
    const ip = filter.ip === undefined ? undefined : banTargetForSearch(filter.ip);
    const [rows, names] = await Promise.all([this.repository.search({ state: filter.state, jail: filter.jail, agentId, ip }, limit, beforeId), this.agents.names()]);
    return rows.map((ban) => toBanView(ban, names));
  }

  async get(id: string): Promise<BanView & { history: BanView[]; changes: Array<{ seq: number; op: string; at: Date }> }> {
    if (!/^\d{1,19}$/.test(id)) throw new InputError(`ban id "${id}" is not a number`, 'id');
    const ban = await this.repository.findById(id);
    if (!ban) throw new DomainError('ban_not_found', `no ban ${id}; \`fleetban bans --all\` lists them`);
    const [history, changes, names] = await Promise.all([this.repository.search({ state: 'all', ip: ban.target }, 100, null), this.repository.changesOf(id), this.agents.names()]);
    return { ...toBanView(ban, names), history: history.filter((b) => b.id !== id).map((b) => toBanView(b, names)), changes };
  }

  /** Bans by hand: never an allowlisted address (409), never twice (409). */
  async ban(input: ManualBanInput, by: string): Promise<BanView> {
    const target = banTarget(input.ip);
    const seconds = banDurationInput(input.duration, input.permanent);
    const jail = input.jail === undefined ? undefined : await this.jails.get(input.jail);
    const agentId = input.agent === undefined ? null : await this.agentId(input.agent, 'agent');
    const entries = await this.allowlist.forPolicy();
    const match = findAllowlistMatch(target, entries, { agentId: agentId === null ? null : String(agentId), jail });
    if (match) throw new DomainError('allowlisted', `${target} is allowlisted (${describeAllowlistMatch(match)}): remove that entry first if you really mean to ban it`);
    const ban = await this.bans.place({
      target,
      jail: jail?.name ?? null,
      scope: agentId === null ? 'fleet' : 'host',
      agentId,
      origin: 'manual',
      reason: input.reason?.trim() || `banned by ${by}`,
      level: 0,
      expiresAt: seconds === null ? null : new Date(Date.now() + seconds * 1000),
      createdBy: by,
      evidence: null,
    });
    if (!ban) throw new DomainError('already_banned', `${target} is already banned${agentId === null ? '' : ' on that agent'}: unban it first to change the ban`);
    return toBanView(ban, await this.agents.names());
  }

  /** Lifts every active ban that overlaps `ip`. */
  async liftByIp(ip: string, by: string): Promise<BanView[]> {
    const target = banTargetForSearch(ip);
    const active = await this.repository.findActiveOverlapping(target);
    if (active.length === 0) throw notBanned(target);
    const lifted = await this.bans.lift(active.map((b) => b.id), 'manual', by);
    const names = await this.agents.names();
    return lifted.map((b) => toBanView(b, names));
  }

  async liftById(id: string, by: string): Promise<BanView> {
    const ban = await this.get(id);
    const [lifted] = await this.bans.lift([id], 'manual', by);
    if (!lifted) throw new DomainError('not_banned', `ban ${id} of ${ban.ip} is not active`);
    return toBanView(lifted, await this.agents.names());
  }

  private async agentId(name: string, field: string): Promise<number> {
    const id = await this.agents.idByName(name);
    if (id === null) throw new DomainError('agent_not_found', `no agent named "${name}" (${field}); \`fleetban agents\` lists them`);
    return id;
  }
}

/** Searching accepts any valid address or network, however wide. */
function banTargetForSearch(input: string): string {
  try {
    return banTarget(input);
  } catch (error) {
    if (error instanceof InputError && /too wide/.test(error.message)) return input.trim();
    throw error;
  }
}
