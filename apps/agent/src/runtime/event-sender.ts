import type { SecurityEvent } from '@fleetban/asterisk-log';
import type { LinePosition } from '../follower/file-identity';
import type { ServerLink } from '../link/server-link';
import type { EventSpool } from '../spool/event.spool';

export interface SenderOptions {
  maxEvents: number;
  /** Batches that are not full leave at most this often; the first after a quiet spell leaves at once. */
  delayMs: number;
}

/** What the sender needs of the server link. */
export type EventLink = Pick<ServerLink, 'connected' | 'send'>;

const MAX_BATCH_BYTES = 512 * 1024;

/**
 * Drains the spool to the server, in order, in batches that keep their ids across reconnects and restarts;
 * events leave the spool only when the server acknowledges their batch.
 */
export class EventSender {
  private running = false;
  private wake: (() => void) | null = null;
  private lastSentAt = -Infinity;
  batchesSent = 0;

  constructor(
    private readonly spool: EventSpool<SecurityEvent, LinePosition>,
    private readonly link: EventLink,
    private readonly options: SenderOptions,
  ) {}

  /** The link is up: (re)send unacknowledged batches first, then new ones. */
  start(): void {
    this.spool.rewind();
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  async acknowledged(batchId: string): Promise<void> {
    await this.spool.ack(batchId);
    this.wake?.();
  }

  /** The server will not take this batch as it is (it says the batch is invalid): drop it rather than block the spool forever. */
  rejected(batchId: string): Promise<void> {
    return this.acknowledged(batchId);
  }

  /** The server could not take the batch now (overloaded, internal error): send it again after a pause. */
  retryLater(): void {
    setTimeout(() => this.spool.rewind(), 1000).unref();
  }

  private async loop(): Promise<void> {
    while (this.running && this.link.connected) {
      if (!(await this.spool.waitForEvents(1000))) continue;
      // Waiting only within delayMs of the last batch: the decisive failure after a quiet spell is not held back to fill
      // a batch (every PBX waits for it), while a busy PBX still sends few large batches rather than many small ones.
      const wait = this.lastSentAt + this.options.delayMs - performance.now();
      if (wait > 0 && this.spool.stats().events < this.options.maxEvents) await sleep(wait);
      const batch = await this.spool.nextBatch(this.options.maxEvents, MAX_BATCH_BYTES);
      if (batch === null) {
        // In-flight window full, or nothing new: wait for an ack (or a short while).
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 200).unref();
        });
        this.wake = null;
        continue;
      }
      if (!this.link.send({ type: 'events', batchId: batch.id, events: batch.events })) break;
      this.lastSentAt = performance.now();
      this.batchesSent++;
    }
    this.running = false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
