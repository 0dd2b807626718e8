import type { SecurityEventType } from './event-type';

/** One failure of one IP as the ban engine sees it: a stored SecurityEvent reduced to what policy needs. */
export interface Failure {
  /** Milliseconds since the epoch, from the event (not from the clock of whoever evaluates). */
  time: number;
  /** The remote address, from the event's trusted `ip` field (never from account names or URIs). */
  ip: string;
  agentId: string;
  type: SecurityEventType;
  /** SessionID or Call-ID: lines of one attempt share it. Attacker-controlled: it only ever groups, never names the IP. */
  session: string | null;
  /** The account tried (attacker-controlled), kept as evidence. */
  account: string | null;
}
