// The admin API's objects as docs/api.md describes them. The CLI only reads them to render text (--json prints
// what the server sent, untouched), so every field is optional where the contract allows null.

export interface Evidence {
  failures?: number;
  attempts?: number;
  agents?: string[];
  firstSeen?: string;
  lastSeen?: string;
  types?: Record<string, number>;
  accounts?: string[];
}

export interface Ban {
  id: number | string;
  ip: string;
  jail: string | null;
  scope: 'fleet' | 'host';
  agent: string | null;
  origin: 'automatic' | 'manual' | 'import';
  reason: string | null;
  level?: number;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftReason?: string | null;
  createdBy?: string | null;
  liftedBy?: string | null;
  active: boolean;
  evidence?: Evidence | null;
}

export interface AllowlistEntry {
  id: number | string;
  cidr: string;
  scope: 'global' | 'agent';
  agent: string | null;
  note: string | null;
  createdAt: string;
  createdBy?: string | null;
}

export interface Agent {
  name: string;
  connected: boolean;
  hostname?: string | null;
  version?: string | null;
  createdAt?: string;
  lastSeenAt?: string | null;
  revoked?: boolean;
  files?: string[];
  spoolBacklog?: number | null;
  appliedSeq?: number | string | null;
  currentSeq?: number | string | null;
}

export interface JailStatus {
  name: string;
  enabled: boolean;
  currentlyFailed: number;
  totalFailed: number;
  currentlyBanned: number;
  totalBanned: number;
  bannedIps: string[];
}

export interface Status {
  jails: JailStatus[];
  agents: { name: string; connected: boolean; files?: string[] }[];
  breaker: { paused: boolean; reason?: string | null };
}

export interface SecurityEventRow {
  id: number | string;
  agent: string;
  time: string;
  type: string;
  failure: boolean;
  ip: string;
  port?: number | null;
  transport?: string | null;
  service?: string | null;
  account?: string | null;
  session?: string | null;
  source?: string | null;
}

export interface TopAttacker {
  ip: string;
  failures: number;
  agents: number | string[];
  lastSeen: string;
}

export interface TopAccount {
  account: string;
  failures: number;
  ips: number | string[];
}

export interface JailDecision {
  ban: boolean;
  code?: string;
  reason?: string;
  scope?: string;
  until?: string | null;
}

export interface Explanation {
  ip: string;
  allowlist: AllowlistEntry[];
  failures: { total: number; byAgent?: Record<string, number>; byType?: Record<string, number>; firstSeen?: string | null; lastSeen?: string | null };
  /** docs/api.md gives one `decision`; a server may give one per scope (`decisions`): both are shown. */
  jails: { name: string; decision?: JailDecision; decisions?: JailDecision[] }[];
  bans: Ban[];
}

export interface AuditEntry {
  id: number | string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details?: unknown;
  remoteAddress?: string | null;
}

export interface ApiToken {
  name: string;
  role: 'admin' | 'viewer';
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

/** The jail object of libs/policy as the API returns it (durations in seconds). */
export type JailObject = Record<string, unknown> & { name: string; enabled?: boolean };
