/**
 * Timing and limit knobs of one server process. Defaults suit production; tests shorten the timers.
 * Not environment variables: nobody should need to tune them to run a fleet.
 */
export interface ServerTunables {
  /** Ping interval; a connection that missed one pong by the next tick is terminated. */
  heartbeatIntervalMs: number;
  /** Time an agent has to send `hello` after the upgrade. */
  handshakeTimeoutMs: number;
  /** Unacknowledged `events` batches per connection; beyond it reading pauses, and at twice it batches are refused. */
  maxInFlightBatches: number;
  /** Bytes queued for sending to one agent (ws bufferedAmount) beyond which the agent is closed as too slow. */
  maxBufferedBytes: number;
  /** Protocol errors tolerated per connection and minute before it is closed. */
  maxProtocolErrorsPerMinute: number;
  /** Fallback poll of the ban change log, in case a Redis notification was lost. */
  banFeedPollMs: number;
  /** Fallback check of connected agents against revocations, in case a Redis notification was lost. */
  revocationPollMs: number;
  /** How often the sweeper looks for evaluations that were stored but never enqueued. */
  sweepIntervalMs: number;
  /** Age after which a pending evaluation counts as missed and is re-enqueued. */
  sweepAfterMs: number;
  /** Evaluate jobs leave at most this often (the first after a quiet spell at once); IPs stored meanwhile share one. */
  evaluateCoalesceMs: number;
  /** An agent further behind than this many ban changes gets a snapshot instead of deltas. */
  maxCatchUpChanges: number;
  /** Time graceful shutdown waits for in-flight batches before closing anyway. */
  shutdownGraceMs: number;
}

export const DEFAULT_TUNABLES: ServerTunables = {
  heartbeatIntervalMs: 15_000,
  handshakeTimeoutMs: 10_000,
  maxInFlightBatches: 8,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxProtocolErrorsPerMinute: 10,
  banFeedPollMs: 2_000,
  revocationPollMs: 5_000,
  sweepIntervalMs: 5_000,
  sweepAfterMs: 10_000,
  evaluateCoalesceMs: 5,
  maxCatchUpChanges: 10_000,
  shutdownGraceMs: 10_000,
};

export const SERVER_TUNABLES = Symbol('ServerTunables');
