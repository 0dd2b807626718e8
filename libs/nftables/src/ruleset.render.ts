import { HOOK_PRIORITY, type EnforcerConfig } from './enforcer.config';
import { renderTimeout, type BanElement } from './ban-element';
import { SET_NAMES, type SetName } from './ban-target.validator';
import { COUNTER_NAME, SET_DEFINITIONS, type TableShape } from './table-shape';

/** Most elements in one `add element` statement: keeps each statement's parse bounded in huge snapshots. */
export const ELEMENTS_PER_STATEMENT = 10_000;

const sameFlags = (a: readonly string[], b: readonly string[]): boolean => [...a].sort().join() === [...b].sort().join();

function renderRules(config: EnforcerConfig): string[] {
  const t = `inet ${config.table}`;
  const chain = config.hook;
  const count = `counter name "${COUNTER_NAME}"`;
  const rules = [`add rule ${t} ${chain} iif "lo" accept`];
  for (const set of SET_NAMES) {
    const match = `${set.startsWith('banned4') ? 'ip' : 'ip6'} saddr @${set}`;
    const tcpVerdict = config.action === 'drop' ? 'drop' : 'reject with tcp reset';
    const otherVerdict = config.action === 'drop' ? 'drop' : 'reject with icmpx admin-prohibited';
    if (config.ports === null) {
      if (config.action === 'reject') rules.push(`add rule ${t} ${chain} ${match} meta l4proto tcp ${count} ${tcpVerdict}`);
      rules.push(`add rule ${t} ${chain} ${match} ${count} ${otherVerdict}`);
      continue;
    }
    const { tcp, udp } = config.ports;
    if (tcp.length > 0) rules.push(`add rule ${t} ${chain} ${match} tcp dport { ${tcp.join(', ')} } ${count} ${tcpVerdict}`);
    if (udp.length > 0) rules.push(`add rule ${t} ${chain} ${match} udp dport { ${udp.join(', ')} } ${count} ${otherVerdict}`);
  }
  return rules;
}

export interface EnsurePlan {
  script: string;
  /** Sets that exist with another definition and are re-created empty: their bans must be applied again. */
  recreatedSets: string[];
}

/**
 * The batch that brings the table to `config` from what it holds now (`current`, null when absent) without touching
 * set elements that can stay: rules are replaced in the same transaction, sets only when their definition changed.
 */
export function renderEnsure(config: EnforcerConfig, current: TableShape | null): EnsurePlan {
  const t = `inet ${config.table}`;
  const lines = [`add table ${t}`, `add counter ${t} ${COUNTER_NAME}`];
  const prio = HOOK_PRIORITY[config.hook];
  const recreatedSets: string[] = [];
  for (const [name, chain] of current?.chains ?? []) {
    lines.push(`flush chain ${t} ${name}`);
    if (name !== config.hook || chain.hook !== config.hook || chain.prio !== prio) lines.push(`delete chain ${t} ${name}`);
  }
  for (const [name, set] of current?.sets ?? []) {
    const wanted = (SET_DEFINITIONS as Record<string, { type: string; flags: readonly string[] }>)[name];
    if (wanted !== undefined && wanted.type === set.type && sameFlags(wanted.flags, set.flags)) continue;
    lines.push(`delete set ${t} ${name}`);
    if (wanted !== undefined) recreatedSets.push(name);
  }
  for (const name of SET_NAMES) {
    const { type, flags } = SET_DEFINITIONS[name];
    lines.push(`add set ${t} ${name} { type ${type}; flags ${flags.join(', ')}; }`);
  }
  lines.push(`add chain ${t} ${config.hook} { type filter hook ${config.hook} priority ${prio}; policy accept; }`);
  lines.push(...renderRules(config));
  return { script: `${lines.join('\n')}\n`, recreatedSets };
}

function elementText(element: BanElement, now: number, withTimeout: boolean): string {
  return withTimeout && element.expiresAt !== null ? `${element.cidr} timeout ${renderTimeout(element.expiresAt, now)}` : element.cidr;
}

function addStatements(verb: 'add' | 'delete', table: string, elements: readonly BanElement[], now: number, withTimeout: boolean): string[] {
  const bySet = new Map<SetName, string[]>(SET_NAMES.map((set) => [set, []]));
  for (const element of elements) bySet.get(element.set)?.push(elementText(element, now, withTimeout));
  const lines: string[] = [];
  for (const [set, texts] of bySet) {
    for (let i = 0; i < texts.length; i += ELEMENTS_PER_STATEMENT) {
      lines.push(`${verb} element inet ${table} ${set} { ${texts.slice(i, i + ELEMENTS_PER_STATEMENT).join(', ')} }`);
    }
  }
  return lines;
}

/** One batch that empties the four sets and fills them with `elements`, each with its time left as timeout. */
export function renderSnapshot(table: string, elements: readonly BanElement[], now: number): string {
  const lines = SET_NAMES.map((set: SetName) => `flush set inet ${table} ${set}`);
  lines.push(...addStatements('add', table, elements, now, true));
  return `${lines.join('\n')}\n`;
}

/**
 * One batch that removes `remove` and (re-)adds `add`. nft 1.0.6 has no `destroy`, a `delete` of a missing element
 * aborts the batch, and `add` of a present element resets its timeout only on recent kernels. So each address
 * touched is first added without timeout (a no-op if present, and it survives an element that just expired), then
 * deleted, then the ones to keep are added with their fresh timeout: right whatever the kernel holds. Networks cannot
 * take that path (nft then sees a network added in the batch overlap the one deleted before it), so for networks the
 * caller passes in `remove` exactly those present that go or change, and in `add` those absent once `remove` is done.
 */
export function renderDelta(table: string, remove: readonly BanElement[], add: readonly BanElement[], now: number): string {
  const isNet = (e: BanElement): boolean => e.set.endsWith('net');
  const reset = [...new Map([...remove, ...add].filter((e) => !isNet(e)).map((e) => [e.cidr, e])).values()];
  const lines = [
    ...addStatements('add', table, reset, now, false),
    ...addStatements('delete', table, [...reset, ...remove.filter(isNet)], now, false),
    ...addStatements('add', table, add, now, true),
  ];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Uninstall in one batch that succeeds whether or not the table exists (no `destroy table` in nft 1.0.6). */
export const renderRemove = (table: string): string => `add table inet ${table}\ndelete table inet ${table}\n`;
