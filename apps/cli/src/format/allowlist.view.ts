import type { AllowlistEntry } from '../api/api-types';
import { printable } from './table.formatter';

/** Where an entry applies: everywhere, or on one agent. */
export const allowlistScope = (entry: AllowlistEntry): string => (entry.scope === 'agent' ? `agent ${entry.agent ?? '?'}` : 'global');

/** "10.0.0.0/8 (global)". */
export const describeEntry = (entry: AllowlistEntry): string => `${printable(entry.cidr)} (${allowlistScope(entry)})`;
