import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import { NftablesEnforcer, NftSessionRunner } from '@fleetban/nftables';
import { PROTOCOL_VERSION, type ServerMessage } from '@fleetban/protocol';
import type { AgentConfig } from '../config/agent-config';
import { DryRunEnforcer } from '../enforcer/dry-run.enforcer';
import { protectedAddresses } from '../enforcer/protected-addresses';
import type { LinePosition } from '../follower/file-identity';
import { LogFollower } from '../follower/log.follower';
import { ServerLink, type LinkLog } from '../link/server-link';
import { EventSpool } from '../spool/event.spool';
import { LinePump } from '../spool/line.pump';
import { writeStatus, type AgentStatus } from '../status/agent-status';
import { AGENT_VERSION } from '../version';
import { BanEnforcement } from './ban-enforcement';
import { EventSender } from './event-sender';
import { FleetLineParser } from './line-parser';

export interface RuntimeOptions {
  dryRun: boolean;
  log: LinkLog;
}

/**
 * The running agent: logs -> parser -> spool -> server, and server bans -> book -> nftables. Keeps protecting
 * the host with its last known bans while the server is away, and keeps spooling.
 */
export class AgentRuntime {
  private statusTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> = Promise.resolve();
  private readonly startedAt = new Date().toISOString();

  private constructor(
    private readonly config: AgentConfig,
    private readonly options: RuntimeOptions,
    private readonly spool: EventSpool<SecurityEvent, LinePosition>,
    private readonly follower: LogFollower,
    private readonly parser: FleetLineParser,
    private readonly bans: BanEnforcement,
    private readonly dryRun: DryRunEnforcer | null,
    private link: ServerLink | null = null,
    private sender: EventSender | null = null,
  ) {}

  static async start(config: AgentConfig, options: RuntimeOptions): Promise<AgentRuntime> {
    await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
    const spool = await EventSpool.open<SecurityEvent, LinePosition>({ dir: join(config.stateDir, 'spool'), maxBytes: config.spool.maxBytes, maxInFlight: 4 });
    const follower = await LogFollower.open({ paths: config.logs, cursorFile: join(config.stateDir, 'cursor.json'), fromStart: config.fromStart, checkpoints: [...spool.checkpoints().values()] });
    const protect = await protectedAddresses(config.server.url, config.firewall.allowlist);
    const dryRun = options.dryRun ? new DryRunEnforcer(protect, options.log) : null;
    const enforcer =
      dryRun ??
      new NftablesEnforcer(
        { table: config.firewall.table, action: config.firewall.action, ports: config.firewall.ports.length > 0 ? { tcp: config.firewall.ports, udp: config.firewall.ports } : null, protected: protect },
        new NftSessionRunner({ prefix: config.firewall.commandPrefix }),
      );
    const bans = new BanEnforcement(config.stateDir, enforcer, options.log);
    await bans.start();
    const runtime = new AgentRuntime(config, options, spool, follower, new FleetLineParser(config.timezone), bans, dryRun);
    runtime.connect();
    return runtime;
  }

  private connect(): void {
    const pump = new LinePump(this.follower, this.spool, (line) => this.parser.parse(line), () => this.parser.endOfChunk());
    this.pumping = pump.run().catch((error: unknown) => this.options.log.error({ err: error }, 'cannot write the spool (disk full?): log lines are no longer read; fix it and restart the agent'));
    this.link = new ServerLink(
      {
        url: this.config.server.url,
        token: this.config.server.token,
        caFile: this.config.server.caFile,
        log: this.options.log,
        hello: () => ({ protocol: PROTOCOL_VERSION, agentVersion: AGENT_VERSION, hostname: hostname(), lastBanSeq: this.bans.seq, files: this.config.logs, spoolBacklog: this.spool.stats().events }),
      },
      { onWelcome: () => this.sender?.start(), onMessage: (m) => void this.onMessage(m), onDown: () => this.sender?.stop() },
    );
    this.sender = new EventSender(this.spool, this.link, { maxEvents: this.config.spool.batchMaxEvents, delayMs: this.config.spool.batchDelayMs });
    this.link.start();
    this.statusTimer = setInterval(() => void this.writeStatus(), 1000);
    this.statusTimer.unref();
    void this.writeStatus();
  }

  private async onMessage(message: Exclude<ServerMessage, { type: 'welcome' }>): Promise<void> {
    try {
      switch (message.type) {
        case 'ack':
          await this.sender?.acknowledged(message.batchId);
          break;
        case 'bans.snapshot':
        case 'bans.delta': {
          const seq = await this.bans.apply(message);
          if (seq === null) break;
          this.link?.send({ type: 'applied', seq });
          const refused = this.bans.takeRefusals();
          if (refused.length > 0) this.link?.send({ type: 'refused', seq, bans: refused.map((r) => ({ ip: r.ip, reason: r.reason })) });
          void this.writeStatus();
          break;
        }
        case 'error':
          this.options.log.warn({ code: message.code, batchId: message.batchId, detail: message.message }, 'the server reported an error');
          if (message.batchId && message.code === 'invalid_message') await this.sender?.rejected(message.batchId);
          else if (message.batchId) this.sender?.retryLater();
          break;
        case 'pong':
          break;
      }
    } catch (error) {
      this.options.log.error({ err: error, type: message.type }, 'handling a message from the server failed');
    }
  }

  status(): AgentStatus {
    const now = Date.now();
    const spool = this.spool.stats();
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date(now).toISOString(),
      server: this.config.server.url,
      connected: this.link?.connected ?? false,
      connectedSince: this.link?.connectedSince ? new Date(this.link.connectedSince).toISOString() : null,
      lastError: this.link?.lastError ?? this.bans.lastError ?? spool.lastError,
      dryRun: this.dryRun !== null,
      files: this.follower.status().map((p) => ({ path: p.path, offset: p.files.at(-1)?.offset ?? 0, size: p.files.at(-1)?.size ?? null, linesRead: p.linesRead, lastError: p.lastError })),
      parser: this.parser.stats(),
      spool: { events: spool.events, bytes: spool.bytes, inFlightBatches: spool.batchesInFlight, dropped: spool.dropped },
      appliedSeq: this.bans.appliedSeq,
      bans: this.dryRun ? this.dryRun.bans(now) : this.bans.active(),
      refused: this.bans.refused.map((r) => ({ ip: r.ip, reason: r.reason })),
    };
  }

  private async writeStatus(): Promise<void> {
    await writeStatus(this.config.stateDir, this.status()).catch(() => undefined);
  }

  /** Stops reading and sending; bans stay in the kernel (with their timeouts), the spool keeps what was not acked. */
  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.sender?.stop();
    await this.link?.stop();
    await this.follower.close();
    await this.pumping;
    await this.spool.close();
    await this.bans.stop();
    await writeStatus(this.config.stateDir, { ...this.status(), connected: false }).catch(() => undefined);
  }
}
