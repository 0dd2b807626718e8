import { z } from 'zod';
import { normalizeCidr } from '@fleetban/ip';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Environment variables the server reads, with their defaults. One parse at boot reports every problem at once. */
const serverEnvSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').default('postgresql://postgres@127.0.0.1:5432/fleetban'),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
    FLEETBAN_HOST: z.string().min(1).default('0.0.0.0'),
    FLEETBAN_PORT: port.default(8420),
    /** The URL agents use to reach this server, printed in enroll commands; derived from host and port when unset. */
    FLEETBAN_PUBLIC_URL: z.url().optional(),
    FLEETBAN_ADMIN_TOKEN: z.string().min(20, 'must be at least 20 characters: it guards the whole fleet').optional(),
    FLEETBAN_TLS_CERT: z.string().min(1).optional(),
    FLEETBAN_TLS_KEY: z.string().min(1).optional(),
    /** Prefix of every Redis key and channel, so several fleets (or test runs) can share one Redis. */
    FLEETBAN_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, ":", "_" and "-" only').default('fleetban'),
    /** api: HTTP and agent WebSocket only; worker: ban engine jobs only; all: both (one process, the default). */
    FLEETBAN_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    FLEETBAN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    FLEETBAN_EVENT_RETENTION_DAYS: positiveInt.default(30),
    /** Automatic bans per minute beyond which automatic banning pauses (the circuit breaker). */
    FLEETBAN_BREAKER_LIMIT: positiveInt.default(500),
    /** Seconds after a manual unban during which the IP is not banned automatically again. */
    FLEETBAN_UNBAN_GRACE: z.coerce.number().int().min(0).default(3600),
    /** Browser origins allowed to call the admin API (comma-separated); none by default: no CORS at all. */
    FLEETBAN_CORS_ORIGINS: z.string().regex(/^\s*https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*\s*$/, 'a comma-separated list of origins such as https://noc.example.com').optional(),
    /**
     * Reverse proxies (comma-separated addresses or CIDRs) whose X-Forwarded-For is believed; none by default, so a
     * client cannot choose the address the audit log and the rate limit see by sending the header itself.
     */
    FLEETBAN_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((text) => text.split(',').map((entry) => entry.trim()).filter(Boolean))
      .refine((entries) => entries.every((entry) => normalizeCidr(entry, { strict: false }) !== null), 'a comma-separated list of addresses or CIDRs such as 172.28.0.0/16')
      .transform((entries) => entries.map((entry) => normalizeCidr(entry, { strict: false }) as string)),
    /** A YAML file of jails, applied at start (created or replaced by name). */
    FLEETBAN_JAILS_FILE: z.string().min(1).optional(),
  })
  .refine((env) => Boolean(env.FLEETBAN_TLS_CERT) === Boolean(env.FLEETBAN_TLS_KEY), {
    message: 'set both FLEETBAN_TLS_CERT and FLEETBAN_TLS_KEY (paths to PEM files), or neither',
    path: ['FLEETBAN_TLS_CERT'],
  });

export interface ServerConfig {
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  publicUrl: string;
  adminToken: string | undefined;
  tls: { certFile: string; keyFile: string } | undefined;
  redisPrefix: string;
  role: 'all' | 'api' | 'worker';
  logLevel: string;
  eventRetentionDays: number;
  breakerLimitPerMinute: number;
  unbanGraceS: number;
  jailsFile: string | undefined;
  corsOrigins: string[];
  trustedProxies: string[];
}

/** Injection token for the parsed configuration. */
export const SERVER_CONFIG = Symbol('ServerConfig');

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the environment variables above and start again.`);
  }
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const e = parsed.data;
  const tls = e.FLEETBAN_TLS_CERT && e.FLEETBAN_TLS_KEY ? { certFile: e.FLEETBAN_TLS_CERT, keyFile: e.FLEETBAN_TLS_KEY } : undefined;
  const advertisedHost = e.FLEETBAN_HOST === '0.0.0.0' || e.FLEETBAN_HOST === '::' ? '127.0.0.1' : e.FLEETBAN_HOST;
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    host: e.FLEETBAN_HOST,
    port: e.FLEETBAN_PORT,
    publicUrl: e.FLEETBAN_PUBLIC_URL ?? `${tls ? 'https' : 'http'}://${advertisedHost}:${e.FLEETBAN_PORT}`,
    adminToken: e.FLEETBAN_ADMIN_TOKEN,
    tls,
    redisPrefix: e.FLEETBAN_REDIS_PREFIX,
    role: e.FLEETBAN_ROLE,
    logLevel: e.FLEETBAN_LOG_LEVEL,
    eventRetentionDays: e.FLEETBAN_EVENT_RETENTION_DAYS,
    breakerLimitPerMinute: e.FLEETBAN_BREAKER_LIMIT,
    unbanGraceS: e.FLEETBAN_UNBAN_GRACE,
    jailsFile: e.FLEETBAN_JAILS_FILE,
    trustedProxies: e.FLEETBAN_TRUSTED_PROXIES,
    corsOrigins: (e.FLEETBAN_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  };
}
