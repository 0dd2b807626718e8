/** An inclusive range of destination ports; a single port is `{ from: p, to: p }`. */
export interface PortRange {
  from: number;
  to: number;
}

/** The service names an Asterisk jail is likely to use (fail2ban's jails write them, e.g. `port = sip,sip-tls`). */
const PORT_NAMES: Record<string, number> = { sip: 5060, 'sip-tls': 5061, sips: 5061, iax: 4569, iax2: 4569, http: 80, https: 443 };

function parsePort(text: string, min = 1): number {
  const named = PORT_NAMES[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d{1,5}$/.test(text) || Number(text) < min || Number(text) > 65_535) {
    throw new Error(`"${text}" is not a port (1-65535 or one of ${Object.keys(PORT_NAMES).join(', ')})`);
  }
  return Number(text);
}

/** Parses `5060`, `'5060'`, `'sip'`, `'10000-20000'` or `'10000:20000'` (fail2ban's range syntax) into a range. */
export function parsePortRange(spec: number | string): PortRange {
  const text = String(spec).trim();
  const dash = text.search(/[-:]/);
  // 'sip-tls' is a name, not a range.
  if (dash > 0 && PORT_NAMES[text.toLowerCase()] === undefined) {
    const from = parsePort(text.slice(0, dash).trim(), 0);
    const to = parsePort(text.slice(dash + 1).trim());
    if (from > to) throw new Error(`port range "${text}" runs backwards`);
    return { from, to };
  }
  const port = parsePort(text);
  return { from: port, to: port };
}

/** True when a list of ranges is every port: fail2ban writes `0:65535` or `1:65535` for "all". */
export function coversAllPorts(ranges: readonly PortRange[]): boolean {
  return ranges.some((range) => range.from <= 1 && range.to >= 65_535);
}
