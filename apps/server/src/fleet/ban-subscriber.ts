import { encodeServerMessage, type ServerMessage } from '@fleetban/protocol';
import type { ActiveBanRow, BanChangeRow } from './ban-change.repository';

/** A connected agent as the ban feed sees it (implemented by the gateway's connection). */
export interface BanSubscriber {
  readonly agentId: number;
  /**
   * Sends one server message already encoded (UTF-8 JSON, see `encodeForSubscriber`): a delta is encoded once for
   * all the agents it goes to. False when the connection is gone or was just closed for reading too slowly.
   */
  sendEncoded(frame: Buffer): boolean;
}

export const encodeForSubscriber = (message: ServerMessage): Buffer => Buffer.from(encodeServerMessage(message));

/**
 * Identifies one ban change to publish: what a ban writer has after committing it. A writer that also has the page
 * of the log it wrote (its rows, the bans in force on their targets, and `prevSeq`, the last seq before them, all read
 * under the log's lock) passes it: every instance then delivers it without reading the log again.
 */
export interface PublishedBanChange {
  seq: bigint | number;
  page?: { prevSeq: number; rows: readonly BanChangeRow[]; active: readonly ActiveBanRow[] };
}
