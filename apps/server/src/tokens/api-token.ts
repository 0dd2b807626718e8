export type ApiRole = 'admin' | 'viewer';

/** An admin API credential, without its secret. */
export interface ApiToken {
  name: string;
  role: ApiRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revoked: boolean;
}

/** Who is calling the API: the token's name is the actor of audit entries. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

export const API_TOKEN_PREFIX = 'fba_';
