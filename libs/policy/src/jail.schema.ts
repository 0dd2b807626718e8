import { normalizeCidr } from '@fleetban/ip';
import { z } from 'zod';
import { parseDuration } from './duration';
import { FAILURE_EVENT_TYPES, INFORMATIONAL_EVENT_TYPES, SECURITY_EVENT_TYPES, type SecurityEventType } from './event-type';
import { coversAllPorts, parsePortRange, type PortRange } from './port';

/** Longest attempt window accepted: a longer one would let one session key hide too many failures. */
export const MAX_ATTEMPT_WINDOW_S = 60;

/** A duration field: seconds or text such as '10m', validated into seconds within [min, max]. */
function duration(min: number, max = Number.POSITIVE_INFINITY) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    try {
      const seconds = parseDuration(value);
      if (seconds >= min && seconds <= max) return seconds;
      ctx.addIssue({ code: 'custom', message: `must be between ${min}s and ${max}s, got ${seconds}s` });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
    return z.NEVER;
  });
}

/** Ban duration in seconds, or 'permanent' (written -1 or 'permanent', as in fail2ban). */
const bantime = z.union([z.number(), z.string()]).transform((value, ctx): number | 'permanent' => {
  if (value === -1 || value === '-1' || value === 'permanent') return 'permanent';
  const seconds = duration(1).safeParse(value);
  if (seconds.success) return seconds.data;
  ctx.addIssue({ code: 'custom', message: `${seconds.error.issues[0]?.message ?? 'invalid'} (or -1/'permanent' for a permanent ban)` });
  return z.NEVER;
});

const eventType = z.enum(SECURITY_EVENT_TYPES);

/** Ports as users write them (5060, 'sip', '10000-20000') or as a validated jail stores them ({ from, to }). */
const portRange = z.strictObject({ from: z.number().int(), to: z.number().int() });
const ports = z.union([z.literal('all'), z.array(z.union([z.number(), z.string(), portRange])).min(1)]).transform((value, ctx): 'all' | PortRange[] => {
  if (value === 'all') return 'all';
  try {
    const ranges = value.map((spec) => parsePortRange(typeof spec === 'object' ? `${spec.from}-${spec.to}` : spec));
    return coversAllPorts(ranges) ? 'all' : ranges;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** fail2ban's ignoreip: a list, or one string separated by spaces or commas. Host bits are cleared (127.0.0.1/8). */
const cidrList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const entries = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
  const normalized: string[] = [];
  for (const entry of entries) {
    const cidr = normalizeCidr(entry.trim(), { strict: false });
    if (cidr === null) ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR (host names are not resolved)` });
    else if (!normalized.includes(cidr)) normalized.push(cidr);
  }
  return normalized;
});

const increment = z.strictObject({
  enabled: z.boolean().default(false),
  /** fail2ban's bantime.factor. */
  factor: z.number().positive().max(1000).default(1),
  /** fail2ban's bantime.maxtime: the cap, in seconds; null for no cap. */
  maxtime: duration(1).nullable().default(null),
  /** 'fail2ban': bantime × 2^level × factor (fail2ban's default formula); 'exp': bantime × e^(level × factor). */
  formula: z.enum(['fail2ban', 'exp']).default('fail2ban'),
  /** fail2ban's bantime.multipliers: when set, bantime × factor × multipliers[min(level, last)] replaces the formula. */
  multipliers: z.array(z.number().positive()).min(1).nullable().default(null),
  /** How far back previous bans of the IP in this jail are counted to find the level (fail2ban: its database's age). */
  lookback: duration(60).default(30 * 86_400),
});

/** Checked on its own so that its problems are reported together with the other fields'. */
const eventTypes = z
  .array(eventType)
  .min(1)
  .superRefine((types, ctx) => {
    for (const [index, type] of types.entries()) {
      if (INFORMATIONAL_EVENT_TYPES.has(type)) ctx.addIssue({ code: 'custom', path: [index], message: `${type} is not a failure and can never count` });
      if (types.indexOf(type) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `${type} is listed twice` });
    }
  });

const jailObject = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64'),
  enabled: z.boolean().default(true),
  eventTypes: eventTypes.default([...FAILURE_EVENT_TYPES]),
  weights: z.partialRecord(eventType, z.number().positive().max(100)).default({}),
  maxretry: z.number().int().min(1).max(10_000),
  findtime: duration(1, 30 * 86_400),
  bantime,
  increment: increment.default({ enabled: false, factor: 1, maxtime: null, formula: 'fail2ban', multipliers: null, lookback: 30 * 86_400 }),
  scope: z.enum(['fleet', 'host']).default('fleet'),
  distinctHosts: z.number().int().min(2).max(10_000).nullable().default(null),
  action: z.enum(['drop', 'reject']).default('drop'),
  ports: ports.default('all'),
  countMode: z.enum(['attempts', 'lines']).default('attempts'),
  attemptWindow: duration(0, MAX_ATTEMPT_WINDOW_S).default(2),
  ignoreip: cidrList.default([]),
});

/** The jail schema: validates input (durations as text, defaults filled) into a {@link Jail}. */
export const jailSchema = jailObject.superRefine((jail, ctx) => {
  for (const type of Object.keys(jail.weights) as SecurityEventType[]) {
    if (!jail.eventTypes.includes(type)) ctx.addIssue({ code: 'custom', path: ['weights', type], message: `${type} has a weight but is not in eventTypes` });
  }
  if (jail.attemptWindow > jail.findtime) ctx.addIssue({ code: 'custom', path: ['attemptWindow'], message: 'must not exceed findtime' });
  const { maxtime } = jail.increment;
  if (maxtime !== null && jail.bantime !== 'permanent' && maxtime < jail.bantime) {
    ctx.addIssue({ code: 'custom', path: ['increment', 'maxtime'], message: `must be at least bantime (${jail.bantime}s)` });
  }
});

/** A validated jail: every duration in seconds, `bantime` a number of seconds or 'permanent'. */
export type Jail = z.output<typeof jailSchema>;
/** What a user may write: durations as text, most fields optional. */
export type JailInput = z.input<typeof jailSchema>;

/** One problem in a jail definition, with the field's path (e.g. `increment.maxtime`). */
export interface JailIssue {
  jail: string | null;
  path: string;
  message: string;
}

/** A jail definition that does not validate. Lists every problem at once, each naming the jail and field. */
export class JailValidationError extends Error {
  readonly code = 'JAIL_INVALID';

  constructor(readonly issues: JailIssue[]) {
    super(issues.map(formatIssue).join('; '));
    this.name = 'JailValidationError';
  }
}

export function formatIssue(issue: JailIssue): string {
  const where = issue.jail === null ? '' : `jail "${issue.jail}": `;
  return `${where}${issue.path || '(jail)'}: ${issue.message}`;
}

/** Validates without throwing. `jailName` names the jail in issues when the input's own name is missing or bad. */
export function validateJail(input: unknown, jailName?: string): { ok: true; jail: Jail } | { ok: false; issues: JailIssue[] } {
  const result = jailSchema.safeParse(input);
  if (result.success) return { ok: true, jail: result.data };
  const name = jailName ?? nameOf(input);
  return { ok: false, issues: result.error.issues.map((issue) => ({ jail: name, path: issue.path.map(String).join('.'), message: issue.message })) };
}

/** Validates a jail definition or throws a {@link JailValidationError}. */
export function parseJail(input: unknown, jailName?: string): Jail {
  const result = validateJail(input, jailName);
  if (!result.ok) throw new JailValidationError(result.issues);
  return result.jail;
}

function nameOf(input: unknown): string | null {
  const name = typeof input === 'object' && input !== null ? (input as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : null;
}
