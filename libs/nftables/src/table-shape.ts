/** What the enforcer's table holds apart from set elements, as read back from `nft -j -t list table`. */
export interface TableShape {
  sets: Map<string, { type: string; flags: string[] }>;
  chains: Map<string, { hook: string | null; prio: number | null }>;
  counters: Set<string>;
}

/** The sets the enforcer creates: hash sets for addresses (fast single-element updates), interval sets for networks. */
export const SET_DEFINITIONS = {
  banned4: { type: 'ipv4_addr', flags: ['timeout'] },
  banned4net: { type: 'ipv4_addr', flags: ['interval', 'timeout'] },
  banned6: { type: 'ipv6_addr', flags: ['timeout'] },
  banned6net: { type: 'ipv6_addr', flags: ['interval', 'timeout'] },
} as const;

export const COUNTER_NAME = 'dropped';
