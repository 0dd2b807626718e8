import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../common/domain-error';
import { generateSecretToken, hashSecretToken } from '../common/secret-token';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { LOGGER } from '../logging/logger';
import { API_TOKEN_PREFIX, type ApiPrincipal, type ApiRole, type ApiToken } from './api-token';
import { ApiTokenRepository } from './api-token.repository';

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** lastUsedAt is for humans: write it at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

@Injectable()
export class ApiTokensService {
  private readonly touched = new Map<string, number>();
  private readonly log: Logger;

  constructor(
    private readonly tokens: ApiTokenRepository,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'api-tokens' });
  }

  /**
   * At start: FLEETBAN_ADMIN_TOKEN becomes the `admin` token; without it, the very first start creates one and
   * returns it so it can be printed once. Returns null when nothing new was created.
   */
  async bootstrap(): Promise<string | null> {
    if (this.config.adminToken) {
      await this.tokens.upsert('admin', 'admin', hashSecretToken(this.config.adminToken));
      return null;
    }
    if ((await this.tokens.count()) > 0) return null;
    try {
      return (await this.create('admin', 'admin')).token;
    } catch (error) {
      // Several instances starting together on a new database: one of them created it, and printed it.
      if (error instanceof DomainError && error.code === 'token_exists') return null;
      throw error;
    }
  }

  list(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  async create(name: string, role: ApiRole): Promise<{ token: string; apiToken: ApiToken }> {
    if (!TOKEN_NAME.test(name)) throw new DomainError('invalid_token_name', `token name ${JSON.stringify(name)} is invalid: use 1-63 letters, digits, ".", "_" or "-"`);
    const token = generateSecretToken(API_TOKEN_PREFIX);
    const apiToken = await this.tokens.create(name, role, hashSecretToken(token));
    if (!apiToken) throw new DomainError('token_exists', `a token named ${name} already exists: revoke it or pick another name`);
    this.log.info({ name, role }, 'API token created');
    return { token, apiToken };
  }

  async revoke(name: string): Promise<ApiToken> {
    const revoked = await this.tokens.revoke(name, new Date());
    if (!revoked) throw new DomainError('token_not_found', `no active token named ${name}; \`fleetban tokens\` lists them`);
    this.log.info({ name }, 'API token revoked');
    return revoked;
  }

  /** The principal of a bearer token, or null when it is unknown or revoked. */
  async authenticate(token: string): Promise<ApiPrincipal | null> {
    const found = await this.tokens.findActiveByHash(hashSecretToken(token));
    if (!found) return null;
    const now = Date.now();
    if (now - (this.touched.get(found.name) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(found.name, now);
      void this.tokens.touch(found.name, new Date(now)).catch(() => undefined);
    }
    return { name: found.name, role: found.role };
  }
}
