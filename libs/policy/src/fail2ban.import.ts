import { normalizeCidr } from '@fleetban/ip';
import { parseIni, resolveValue, type IniDocument } from './fail2ban-ini.parser';
import { validateJail, type Jail } from './jail.schema';

/** Something in the fail2ban file that has no fleetban equivalent, or could not be read. Nothing is dropped silently. */
export interface Unmapped {
  section: string;
  key: string;
  value: string;
  why: string;
}

export interface Fail2banImport {
  jails: Jail[];
  /** Global allowlist entries, from [DEFAULT] ignoreip. */
  allowlist: { cidr: string; note: string }[];
  unmapped: Unmapped[];
}

/** fail2ban's own defaults (jail.conf [DEFAULT]) for what a jail.local often leaves out. */
const FAIL2BAN_DEFAULTS = { enabled: 'false', maxretry: '5', findtime: '10m', bantime: '10m' };

const ASTERISK_SECTION = /asterisk|pjsip|sip|freepbx/i;
const ASTERISK_FILTER = /asterisk|freepbx/i;

/** Keys read by the mapping; every other key is reported with the reason below or a generic one. */
const MAPPED = new Set(['enabled', 'filter', 'maxretry', 'findtime', 'bantime', 'bantime.increment', 'bantime.factor', 'bantime.maxtime', 'bantime.formula', 'bantime.multipliers', 'ignoreip', 'action', 'banaction', 'port', 'protocol']);

const WHY: Record<string, string> = {
  logpath: 'agents follow the Asterisk logs themselves (agent configuration)',
  backend: 'fail2ban log reading: fleetban agents parse Asterisk security events themselves',
  journalmatch: 'fail2ban log reading: fleetban agents parse Asterisk security events themselves',
  logencoding: 'fail2ban log reading: fleetban agents parse Asterisk security events themselves',
  usedns: 'fleetban never resolves names: bans are taken from the addresses in the events',
  'bantime.rndtime': 'fleetban ban times are deterministic: no random addition',
  'bantime.overalljails': 'increments count earlier bans of the same jail only',
  ignoreself: "add each PBX's own addresses to the allowlist (fleetban does not detect them)",
  ignorecommand: 'no external ignore command: use the allowlist',
  destemail: 'notifications are not part of a jail: use fleetban logs and metrics',
  sender: 'notifications are not part of a jail: use fleetban logs and metrics',
  mta: 'notifications are not part of a jail: use fleetban logs and metrics',
  before: 'includes are not followed: import the included files as well',
  after: 'includes are not followed: import the included files as well',
};

/**
 * Reads fail2ban jail syntax (jail.conf, jail.local, jail.d/*.conf) and maps its Asterisk jails to fleetban jails:
 * sections whose filter names asterisk/freepbx or whose name contains asterisk, sip, pjsip or freepbx. [DEFAULT]
 * ignoreip becomes the global allowlist, a jail's own ignoreip its `ignoreip`. Everything else is reported in
 * `unmapped` with the reason: other jails, options without equivalent, host names in ignoreip, invalid values.
 * A jail with an invalid value is not imported (its problems are reported). Pure: pass the file's text.
 */
export function importFail2ban(text: string): Fail2banImport {
  const doc = parseIni(text);
  const unmapped: Unmapped[] = doc.problems.map((p) => ({ section: `line ${p.line}`, key: '', value: p.text, why: p.why }));
  const allowlist = globalAllowlist(doc, unmapped);
  const jails: Jail[] = [];
  for (const section of doc.sections.values()) {
    if (section.name === 'DEFAULT' || section.name === 'INCLUDES') {
      reportKeys(section.name, [...section.values], unmapped, section.name === 'DEFAULT' ? 'not used by fleetban' : null);
      continue;
    }
    const filter = safeResolve(doc, section.name, 'filter', unmapped) ?? section.name;
    const filterName = filter.replace(/\[.*$/s, '').trim();
    if (!ASTERISK_FILTER.test(filterName) && !ASTERISK_SECTION.test(section.name)) {
      unmapped.push({ section: section.name, key: 'filter', value: filterName, why: `not an Asterisk jail (filter ${filterName}): fleetban bans on Asterisk security events only` });
      continue;
    }
    const jail = mapJail(doc, section.name, unmapped);
    if (jail !== null) jails.push(jail);
    reportKeys(section.name, [...section.values], unmapped, 'no fleetban equivalent');
  }
  return { jails, allowlist, unmapped };
}

function globalAllowlist(doc: IniDocument, unmapped: Unmapped[]): Fail2banImport['allowlist'] {
  const raw = doc.sections.get('DEFAULT')?.values.get('ignoreip');
  if (raw === undefined) return [];
  return splitCidrs(raw, 'DEFAULT', unmapped).map((cidr) => ({ cidr, note: 'fail2ban [DEFAULT] ignoreip' }));
}

/** The valid, canonical CIDRs of an ignoreip value; host names and garbage are reported, one entry each. */
function splitCidrs(raw: string, section: string, unmapped: Unmapped[]): string[] {
  const cidrs: string[] = [];
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const cidr = normalizeCidr(entry, { strict: false });
    if (cidr !== null) {
      if (!cidrs.includes(cidr)) cidrs.push(cidr);
    } else {
      const hostname = /^([a-z0-9-]+\.)*[a-z][a-z0-9-]*[a-z]\.?$/i.test(entry);
      const why = hostname ? 'host name: fleetban does not resolve names in the allowlist; add the addresses it stands for' : 'not an IP address or CIDR';
      unmapped.push({ section, key: 'ignoreip', value: entry, why });
    }
  }
  return cidrs;
}

function reportKeys(section: string, entries: [string, string][], unmapped: Unmapped[], fallback: string | null): void {
  for (const [key, value] of entries) {
    // overalljails = false is what fleetban does anyway.
    if (MAPPED.has(key) || (key === 'bantime.overalljails' && /^(false|no|off|0)$/i.test(value))) continue;
    const why = WHY[key] ?? (key.startsWith('action_') ? 'action shortcut: fleetban enforces with nftables on every agent' : fallback ?? 'not used by fleetban');
    unmapped.push({ section, key, value, why });
  }
}

function safeResolve(doc: IniDocument, section: string, key: string, unmapped: Unmapped[]): string | undefined {
  try {
    return resolveValue(doc, section, key);
  } catch (error) {
    unmapped.push({ section, key, value: doc.sections.get(section)?.values.get(key) ?? '', why: (error as Error).message });
    return undefined;
  }
}

/** Builds and validates one jail; null (with its problems reported) if a value is invalid. */
function mapJail(doc: IniDocument, name: string, unmapped: Unmapped[]): Jail | null {
  const get = (key: string): string | undefined => safeResolve(doc, name, key, unmapped);
  const getOr = (key: keyof typeof FAIL2BAN_DEFAULTS): string => get(key) ?? FAIL2BAN_DEFAULTS[key];
  const problems: Unmapped[] = [];
  const input = {
    name,
    enabled: parseBool(getOr('enabled'), name, 'enabled', problems),
    maxretry: numberOrText(getOr('maxretry')),
    findtime: numberOrText(getOr('findtime')),
    bantime: bantimeOf(getOr('bantime')),
    increment: incrementOf(get, name, problems),
    action: actionOf(get, name, unmapped),
    ports: portsOf(get, name, unmapped),
    ignoreip: ownIgnoreip(doc, name, unmapped),
  };
  const result = validateJail(input, name);
  if (result.ok && problems.length === 0) return result.jail;
  unmapped.push(...problems);
  if (!result.ok) unmapped.push(...result.issues.map((i) => ({ section: name, key: fail2banKey(i.path), value: String(valueAt(input, i.path) ?? ''), why: i.message })));
  unmapped.push({ section: name, key: '*', value: '', why: 'jail not imported: fix the values reported for it and import again' });
  return null;
}

const KEY_OF_PATH: Record<string, string> = { 'increment.factor': 'bantime.factor', 'increment.maxtime': 'bantime.maxtime', 'increment.multipliers': 'bantime.multipliers', ports: 'port' };
const fail2banKey = (path: string): string => KEY_OF_PATH[path] ?? KEY_OF_PATH[path.split('.').slice(0, 2).join('.')] ?? path.split('.')[0] ?? path;

function valueAt(input: object, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined), input);
}

const numberOrText = (value: string): number | string => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);

/** fail2ban: any negative bantime is permanent. */
function bantimeOf(value: string): number | string {
  const parsed = numberOrText(value);
  return typeof parsed === 'number' && parsed < 0 ? -1 : parsed;
}

function parseBool(value: string, section: string, key: string, problems: Unmapped[]): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'on', '1', 'ok'].includes(v)) return true;
  if (['false', 'no', 'off', '0', ''].includes(v)) return false;
  problems.push({ section, key, value, why: 'not a boolean (true/false, yes/no, on/off, 1/0)' });
  return false;
}

type Getter = (key: string) => string | undefined;

function incrementOf(get: Getter, section: string, problems: Unmapped[]) {
  const enabled = parseBool(get('bantime.increment') ?? 'false', section, 'bantime.increment', problems);
  const factorText = get('bantime.factor');
  const factor = factorText === undefined ? 1 : parseFactor(factorText);
  if (factor === null) problems.push({ section, key: 'bantime.factor', value: factorText ?? '', why: 'not a number (or a/b)' });
  const maxtime = get('bantime.maxtime');
  const multipliers = get('bantime.multipliers')?.split(/\s+/).filter(Boolean).map(Number);
  return {
    enabled,
    factor: factor ?? 1,
    maxtime: maxtime === undefined || maxtime === '' ? null : numberOrText(maxtime),
    formula: formulaOf(get('bantime.formula'), section, problems),
    multipliers: multipliers === undefined || multipliers.length === 0 ? null : multipliers,
  };
}

/** fail2ban evaluates the factor as Python; the documented values are numbers or a quotient like `2.0 / 2.885385`. */
function parseFactor(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (match === null) return null;
  return match[2] === undefined ? Number(match[1]) : Number(match[1]) / Number(match[2]);
}

/** The two formulas jail.conf documents; any other Python expression cannot be carried over. */
function formulaOf(text: string | undefined, section: string, problems: Unmapped[]): 'fail2ban' | 'exp' {
  if (text === undefined) return 'fail2ban';
  const compact = text.replace(/\s+/g, '');
  if (compact === 'ban.Time*(1<<(ban.Countifban.Count<20else20))*banFactor') return 'fail2ban';
  if (compact === 'ban.Time*math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)') return 'exp';
  problems.push({ section, key: 'bantime.formula', value: text, why: "only jail.conf's two documented formulas map (default and math.exp); use bantime.multipliers" });
  return 'fail2ban';
}

/** fail2ban's iptables/nftables actions REJECT unless blocktype says DROP; fleetban drops unless told to reject. */
function actionOf(get: Getter, section: string, unmapped: Unmapped[]): 'drop' | 'reject' {
  const text = [get('banaction'), get('action')].filter((v): v is string => v !== undefined).join('\n');
  if (/blocktype\s*=\s*["']?drop/i.test(text) || /\bdrop\b/i.test(text)) return 'drop';
  if (/blocktype\s*=\s*["']?reject/i.test(text)) return 'reject';
  if (text !== '') unmapped.push({ section, key: 'action', value: text, why: 'fleetban enforces with its own nftables set on every agent: action "drop" used (set reject to answer instead)' });
  return 'drop';
}

function portsOf(get: Getter, section: string, unmapped: Unmapped[]): 'all' | string[] {
  const port = get('port')?.trim();
  if (port === undefined || /^(all|any|)$/i.test(port)) return 'all';
  const ports = port.split(/[\s,]+/).filter(Boolean);
  const protocol = get('protocol')?.trim().toLowerCase();
  if (protocol !== undefined && protocol !== 'all') unmapped.push({ section, key: 'protocol', value: protocol, why: 'fleetban blocks the ports on TCP and UDP alike (SIP uses both)' });
  return ports;
}

/** Only the jail's own ignoreip: [DEFAULT]'s went to the global allowlist (more allowlisting, never less). */
function ownIgnoreip(doc: IniDocument, section: string, unmapped: Unmapped[]): string[] {
  if (!doc.sections.get(section)?.values.has('ignoreip')) return [];
  const raw = safeResolve(doc, section, 'ignoreip', unmapped) ?? '';
  return splitCidrs(raw, section, unmapped);
}
