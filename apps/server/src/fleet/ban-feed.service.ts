import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MAX_BANS_PER_MESSAGE } from '@fleetban/protocol';
import type { Logger } from 'pino';
import { SERVER_TUNABLES, type ServerTunables } from '../app/server-tunables';
import { LOGGER } from '../logging/logger';
import { ServerMetrics } from '../metrics/server-metrics';
import { RedisService } from '../redis/redis.service';
import { decodeNotice, encodeNotice } from './ban-change-notice';
import { BanChangeRepository } from './ban-change.repository';
import { encodeForSubscriber, type BanSubscriber, type PublishedBanChange } from './ban-subscriber';
import { concernsAgent, enforcedBans, toWireBan } from './ban-wire';
import { PageDeltas, type ChangePage } from './page-deltas';

const CHANNEL = 'fleet:ban-changes';
const PAGE = 1000;

interface SubscriberState {
  /** Highest seq the agent has been brought to; null while its catch-up runs (pages are buffered). */
  cursor: number | null;
  buffered: ChangePage[];
}

/**
 * Brings every agent connected to this instance along the fleet's ban change log. The log in PostgreSQL
 * is the truth. A writer's Redis notice carries the page it committed, read under the log's lock with the seq
 * before it: an instance that has delivered up to that seq delivers the page as it is, with no read of the
 * log on the way to the agents; any other notice (a gap, an older writer, a page too large), and a slow poll in case
 * a notice is lost, make it read the log. Changes thus reach agents in order, without gaps, whichever instance or
 * worker wrote them.
 */
@Injectable()
export class BanFeedService implements OnModuleInit, OnApplicationShutdown {
  private readonly subscribers = new Map<BanSubscriber, SubscriberState>();
  private feedSeq = 0;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(
    private readonly changes: BanChangeRepository,
    private readonly redis: RedisService,
    private readonly metrics: ServerMetrics,
    @Inject(SERVER_TUNABLES) private readonly tunables: ServerTunables,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'ban-feed' });
  }

  async onModuleInit(): Promise<void> {
    this.feedSeq = await this.changes.latestSeq();
    await this.redis.subscribe(CHANNEL, (message) => this.received(decodeNotice(message)));
    this.timer = setInterval(() => void this.pump(), this.tunables.banFeedPollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Call after committing a BanChange: every instance pushes it to its agents, this one at once. Safe to call twice
   * or late; if Redis is away, other instances still find the change at their next poll.
   */
  async publish(change: PublishedBanChange): Promise<void> {
    this.received(change);
    await this.redis.publish(CHANNEL, encodeNotice(change));
  }

  /** A notice (null: unreadable): its page when it follows on from what was delivered, else a read of the log. */
  private received(change: PublishedBanChange | null): void {
    const page = change?.page;
    if (page !== undefined && page.prevSeq <= this.feedSeq && page.rows.length > 0) {
      const last = page.rows[page.rows.length - 1]!.seq;
      if (last <= this.feedSeq) return;
      this.feedSeq = last;
      this.deliver(page);
    } else if (change === null || Number(change.seq) > this.feedSeq) {
      void this.pump();
    }
  }

  /** Brings a newly connected agent from `lastBanSeq` to the present (deltas, or a snapshot), then keeps it current. */
  async attach(subscriber: BanSubscriber, lastBanSeq: number | undefined): Promise<void> {
    const state: SubscriberState = { cursor: null, buffered: [] };
    this.subscribers.set(subscriber, state);
    const cursor = await this.catchUp(subscriber, lastBanSeq ?? 0);
    state.cursor = cursor;
    const buffered = state.buffered;
    state.buffered = [];
    for (const page of buffered) this.deliverTo(subscriber, state, new PageDeltas(page), page);
  }

  detach(subscriber: BanSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /** Reads the log past what this instance delivered and delivers it. Concurrent calls coalesce. */
  pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    this.pumping = this.pumpLoop().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        for (;;) {
          const rows = await this.changes.changesAfter(this.feedSeq, PAGE);
          if (rows.length === 0) break;
          // Without subscribers (a worker) the state is of no use: skip its query.
          const page = { rows, active: this.subscribers.size === 0 ? [] : await this.changes.activeOn(rows.map((row) => row.target)) };
          // A page pushed meanwhile may have taken the feed further: never back.
          this.feedSeq = Math.max(this.feedSeq, rows[rows.length - 1]!.seq);
          this.deliver(page);
          if (rows.length < PAGE) break;
        }
      } while (this.pumpAgain);
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the ban change log; next notification or poll retries');
    }
  }

  private deliver(page: ChangePage): void {
    const deltas = new PageDeltas(page);
    for (const [subscriber, state] of this.subscribers) this.deliverTo(subscriber, state, deltas, page);
  }

  private deliverTo(subscriber: BanSubscriber, state: SubscriberState, deltas: PageDeltas, page: ChangePage): void {
    if (state.cursor === null) {
      state.buffered.push(page);
      return;
    }
    const delta = deltas.for(subscriber.agentId, state.cursor);
    if (delta === null) return;
    state.cursor = delta.seq;
    if (delta.frame !== null) this.sendDelta(subscriber, delta.frame);
  }

  private sendDelta(subscriber: BanSubscriber, frame: Buffer): void {
    this.metrics.banDeltasSent.inc({ type: 'bans.delta' });
    subscriber.sendEncoded(frame);
  }

  /** Sends what the agent missed; returns the seq it is now at. */
  private async catchUp(subscriber: BanSubscriber, lastBanSeq: number): Promise<number> {
    if (lastBanSeq > 0) {
      const rows = await this.changes.changesAfter(lastBanSeq, this.tunables.maxCatchUpChanges + 1);
      const latest = rows.length > 0 ? rows[rows.length - 1]!.seq : await this.changes.latestSeq();
      // An agent ahead of the log (database restored from a backup) cannot trust its set: snapshot.
      if (rows.length <= this.tunables.maxCatchUpChanges && lastBanSeq <= latest) {
        const mine = rows.filter((row) => concernsAgent(row, subscriber.agentId));
        if (mine.length > 0) {
          const delta = new PageDeltas({ rows, active: await this.changes.activeOn(mine.map((row) => row.target)) }).for(subscriber.agentId, lastBanSeq);
          if (delta?.frame) this.sendDelta(subscriber, delta.frame);
        }
        return Math.max(lastBanSeq, latest);
      }
    }
    return this.sendSnapshot(subscriber);
  }

  private async sendSnapshot(subscriber: BanSubscriber): Promise<number> {
    const { seq, bans } = await this.changes.activeBansFor(subscriber.agentId);
    const wire = [...enforcedBans(bans, subscriber.agentId).values()].map(toWireBan);
    for (let at = 0; at === 0 || at < wire.length; at += MAX_BANS_PER_MESSAGE) {
      const part = wire.slice(at, at + MAX_BANS_PER_MESSAGE);
      this.metrics.banDeltasSent.inc({ type: 'bans.snapshot' });
      if (!subscriber.sendEncoded(encodeForSubscriber({ type: 'bans.snapshot', seq, bans: part, last: at + MAX_BANS_PER_MESSAGE >= wire.length }))) break;
    }
    this.log.debug({ agentId: subscriber.agentId, seq, bans: wire.length }, 'snapshot sent');
    return seq;
  }
}
