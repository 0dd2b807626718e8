import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { normalizeCidr } from '@fleetban/ip';

const cidrList = z.array(
  z.string().refine((value) => normalizeCidr(value, { strict: false }) !== null, { message: 'must be an IP address or CIDR' }),
);

/** Sizes such as 100MB, 512k or a plain number of bytes. */
const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*([kmg]i?b?|b)?\s*$/i, 'must be a size such as 100MB, 512KB or a number of bytes').transform(parseByteSize),
]);

function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)/i.exec(text);
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Math.round(Number(match?.[1] ?? 0) * (units[(match?.[2] ?? '').toLowerCase()] ?? 1));
}

/** The agent's configuration file (YAML). `fleetban-agent enroll` writes one; docs/agent.md documents every key. */
export const agentConfigSchema = z
  .object({
    server: z
      .object({
        /** Base URL of the server (http/https or ws/wss); the agent connects to its /agent path. */
        url: z.string().regex(/^(https?|wss?):\/\/[^\s]+$/, 'must be an http(s):// or ws(s):// URL'),
        token: z.string().min(20, 'must be the token printed by `fleetban-server agent add`'),
        /** PEM file of a private CA that signed the server's certificate. */
        caFile: z.string().min(1).optional(),
      })
      .strict(),
    /** Files to follow: the security log, and optionally the main log for NOTICE lines. */
    logs: z.array(z.string().min(1)).min(1).default(['/var/log/asterisk/security']),
    /** IANA time zone of the PBX, for the local times in log line prefixes. */
    timezone: z.string().min(1).default(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
    /** Read existing log content on first start instead of starting at the end. */
    fromStart: z.boolean().default(false),
    stateDir: z.string().min(1).default('/var/lib/fleetban-agent'),
    spool: z
      .object({
        maxBytes: byteSize.default(100 * 1024 * 1024),
        batchMaxEvents: z.number().int().min(1).max(5000).default(500),
        batchDelayMs: z.number().int().min(0).max(10_000).default(100),
      })
      .strict()
      .default({ maxBytes: 100 * 1024 * 1024, batchMaxEvents: 500, batchDelayMs: 100 }),
    firewall: z
      .object({
        table: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'must be a valid nftables table name').default('fleetban'),
        action: z.enum(['drop', 'reject']).default('drop'),
        /** Ports to protect; empty means every port. */
        ports: z.array(z.number().int().min(1).max(65535)).default([]),
        /** Addresses this agent never blocks, whatever the server says (your trunks, your offices). */
        allowlist: cidrList.default(['127.0.0.0/8', '::1']),
        dryRun: z.boolean().default(false),
        /** Command prefix for nft, e.g. ["ip", "netns", "exec", "pbx1"]. */
        commandPrefix: z.array(z.string()).default([]),
      })
      .strict()
      .default({ table: 'fleetban', action: 'drop', ports: [], allowlist: ['127.0.0.0/8', '::1'], dryRun: false, commandPrefix: [] }),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

/** An invalid configuration: every problem, each naming its key. The CLI prints it and exits with code 2. */
export class AgentConfigError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these keys (see docs/agent.md) and start again.`);
  }
}

/** Environment variables that override the file, for containers and one-off runs: name, key path, value. */
const ENV_OVERRIDES: Array<[string, string[], (value: string) => unknown]> = [
  ['FLEETBAN_SERVER_URL', ['server', 'url'], String],
  ['FLEETBAN_AGENT_TOKEN', ['server', 'token'], String],
  ['FLEETBAN_STATE_DIR', ['stateDir'], String],
  ['FLEETBAN_TIMEZONE', ['timezone'], String],
  ['FLEETBAN_DRY_RUN', ['firewall', 'dryRun'], (v) => v === '1' || v === 'true'],
];

type Document = { [key: string]: unknown };

function setPath(document: Document, path: string[], value: unknown): void {
  let node = document;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node = (node[key] = child && typeof child === 'object' ? child : {}) as Document;
  }
  node[path[path.length - 1] as string] = value;
}

export function parseAgentConfig(document: unknown, file: string, env: NodeJS.ProcessEnv = {}): AgentConfig {
  const raw: Document = document && typeof document === 'object' ? structuredClone(document as Document) : {};
  for (const [name, path, convert] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, convert(value));
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AgentConfigError(file, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`));
  }
  if (!isValidTimeZone(parsed.data.timezone)) throw new AgentConfigError(file, [`timezone: "${parsed.data.timezone}" is not an IANA time zone (e.g. Europe/Paris, UTC)`]);
  return parsed.data;
}

export function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentConfigError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): run \`fleetban-agent enroll\` to create it, or pass --config with its path`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AgentConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseAgentConfig(document, file, env);
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
