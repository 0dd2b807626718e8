import type { ServerMessage } from '@fleetban/protocol';

/** A connected agent as the ban feed sees it (implemented by the gateway's connection). */
export interface BanSubscriber {
  readonly agentId: number;
  /** Sends a message; false when the connection is gone or was just closed for reading too slowly. */
  send(message: ServerMessage): boolean;
}

/** Identifies one ban change to publish: what a ban writer has after committing it. */
export interface PublishedBanChange {
  seq: bigint | number;
}
