import { normalizeCidr } from '@fleetban/ip';
import { SET_NAMES, type SetName } from './ban-target.validator';
import type { TableShape } from './table-shape';

/** One element as the kernel holds it. Timeouts in seconds; null when the element never expires. */
export interface EnforcedElement {
  cidr: string;
  set: SetName;
  timeout: number | null;
  /** Seconds left before the kernel drops it. */
  expires: number | null;
}

export interface Counter {
  packets: number;
  bytes: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function entries(stdout: string): Json[] {
  const doc: unknown = JSON.parse(stdout);
  const list = isObject(doc) ? doc['nftables'] : undefined;
  if (!Array.isArray(list)) throw new Error('nft -j output has no "nftables" array');
  return list.filter(isObject);
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The shape of the table from `nft -j -t list table inet NAME` (terse: without set elements). */
export function parseTableShape(stdout: string): TableShape {
  const shape: TableShape = { sets: new Map(), chains: new Map(), counters: new Set() };
  for (const entry of entries(stdout)) {
    const set = entry['set'];
    const chain = entry['chain'];
    const counter = entry['counter'];
    if (isObject(set)) {
      const flags = Array.isArray(set['flags']) ? set['flags'].map(String) : [];
      shape.sets.set(String(set['name']), { type: String(set['type']), flags });
    } else if (isObject(chain)) {
      shape.chains.set(String(chain['name']), { hook: typeof chain['hook'] === 'string' ? chain['hook'] : null, prio: numberOrNull(chain['prio']) });
    } else if (isObject(counter)) {
      shape.counters.add(String(counter['name']));
    }
  }
  return shape;
}

/** An element's value: an address, `{prefix: {addr, len}}`, or (never written by us) `{range: [a, b]}`. */
function valueText(val: unknown): string | null {
  if (typeof val === 'string') return normalizeCidr(val);
  if (!isObject(val)) return null;
  const prefix = val['prefix'];
  if (isObject(prefix)) return normalizeCidr(`${String(prefix['addr'])}/${String(prefix['len'])}`);
  const range = val['range'];
  if (Array.isArray(range)) return `${String(range[0])}-${String(range[1])}`;
  return null;
}

function parseElement(set: SetName, raw: unknown): EnforcedElement | null {
  const elem = isObject(raw) && isObject(raw['elem']) ? raw['elem'] : null;
  const cidr = valueText(elem !== null ? elem['val'] : raw);
  if (cidr === null) return null;
  return { cidr, set, timeout: numberOrNull(elem?.['timeout']), expires: numberOrNull(elem?.['expires']) };
}

/** The elements of the enforcer's sets from `nft -j list table inet NAME` (or `list set`). */
export function parseElements(stdout: string): EnforcedElement[] {
  const elements: EnforcedElement[] = [];
  for (const entry of entries(stdout)) {
    const set = entry['set'];
    if (!isObject(set) || !SET_NAMES.includes(set['name'] as SetName) || !Array.isArray(set['elem'])) continue;
    for (const raw of set['elem']) {
      const element = parseElement(set['name'] as SetName, raw);
      if (element !== null) elements.push(element);
    }
  }
  return elements;
}

/** A named counter from `nft -j list counter inet NAME COUNTER`. */
export function parseCounter(stdout: string): Counter {
  const counter = entries(stdout).map((e) => e['counter']).find(isObject);
  return { packets: numberOrNull(counter?.['packets']) ?? 0, bytes: numberOrNull(counter?.['bytes']) ?? 0 };
}
