/** An address or network never banned: for the whole fleet (agentId null) or for one agent. */
export interface AllowlistEntry {
  id: number;
  /** IP or CIDR, canonical. */
  cidr: string;
  scope: 'global' | 'agent';
  agentId: number | null;
  note: string | null;
  createdAt: Date;
  createdBy: string | null;
}

export interface NewAllowlistEntry {
  cidr: string;
  agentId: number | null;
  note: string | null;
  createdBy: string | null;
}
