import type { JailObject } from '../api/api-types';
import { formatFields, tableOrEmpty } from './table.formatter';
import { formatSeconds } from './time.formatter';

/** Jail fields held in seconds (libs/policy's jail schema), shown as 10m, 1h, 1d. */
const DURATION_FIELDS = new Set(['findtime', 'bantime', 'attemptWindow', 'increment.maxtime', 'increment.lookback']);

/** A port list: 5060, 10000-20000; or all. */
function ports(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  return value.map((r: { from?: unknown; to?: unknown }) => (typeof r === 'object' && r !== null && r.from !== r.to ? `${r.from}-${r.to}` : String(r?.from ?? r))).join(', ');
}

function text(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (DURATION_FIELDS.has(key)) return formatSeconds(value);
  if (key === 'ports') return ports(value);
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return value;
}

/** Field/value pairs of a jail, nested objects flattened with dotted names (increment.factor). */
export function jailFields(jail: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(jail).flatMap(([key, value]): [string, unknown][] => {
    const name = `${prefix}${key}`;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = jailFields(value as Record<string, unknown>, `${name}.`);
      return nested.length === 0 ? [[name, '(none)']] : nested;
    }
    return [[name, text(name, value)]];
  });
}

/** One jail, field by field. */
export const jailDetails = (jail: JailObject): string => formatFields(jailFields(jail));

/** Every jail, one line each with the figures people tune. */
export function jailTable(jails: JailObject[]): string {
  return tableOrEmpty(
    ['name', 'enabled', 'maxretry', 'findtime', 'bantime', 'scope', 'increment'],
    jails.map((j) => {
      const increment = j.increment as { enabled?: boolean } | undefined;
      return [j.name, j.enabled === false ? 'no' : 'yes', j.maxretry, text('findtime', j.findtime), text('bantime', j.bantime), j.scope, increment?.enabled ? 'yes' : 'no'];
    }),
    'No jails.',
  );
}
