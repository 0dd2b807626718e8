/** One change made through the admin API or a server command. */
export interface AuditEntry {
  id: string;
  at: Date;
  /** The API token's name, or `server-cli` for commands run on the server host. */
  actor: string;
  /** `ban.create`, `allowlist.add`, ... */
  action: string;
  target: string | null;
  details: unknown;
  remoteAddress: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;
