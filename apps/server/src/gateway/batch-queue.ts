import type { EventsMessage } from '@fleetban/protocol';

export interface QueuedBatch {
  message: EventsMessage;
  /** performance.now() when the frame was read. */
  receivedAt: number;
}

export interface BatchQueueHooks {
  /** Stores one batch; the queue waits for it before the next (batches of one agent are sequential). */
  process(batch: QueuedBatch): Promise<void>;
  /** Stop reading from the socket: the agent already has `limit` batches waiting. */
  pause(): void;
  resume(): void;
}

/**
 * The batches of one connection, processed one after the other. At `limit` waiting batches reading pauses
 * (TCP then pushes back on the agent); frames already read beyond twice the limit are refused.
 */
export class BatchQueue {
  private readonly waiting: QueuedBatch[] = [];
  private running: Promise<void> | undefined;
  private paused = false;

  constructor(
    private readonly limit: number,
    private readonly hooks: BatchQueueHooks,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  /** False when the batch is refused (too many in flight). */
  offer(batch: QueuedBatch): boolean {
    if (this.waiting.length >= 2 * this.limit) return false;
    this.waiting.push(batch);
    if (this.waiting.length >= this.limit && !this.paused) {
      this.paused = true;
      this.hooks.pause();
    }
    this.running ??= this.run().finally(() => (this.running = undefined));
    return true;
  }

  /** Resolves once every accepted batch has been processed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    for (let batch = this.waiting[0]; batch; batch = this.waiting[0]) {
      await this.hooks.process(batch).catch(() => undefined); // process reports its own failures
      this.waiting.shift();
      if (this.paused && this.waiting.length < this.limit) {
        this.paused = false;
        this.hooks.resume();
      }
    }
  }
}
