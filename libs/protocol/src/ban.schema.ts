import { z } from 'zod';
import { canonicalIpOrCidr } from './address.schema';
import { MAX_JAIL_NAME_LENGTH, MAX_PORTS_PER_BAN } from './limits';

export const BAN_ACTIONS = ['drop', 'reject'] as const;

/** A ban as the agent enforces it. The agent keys its set by `ip`: a later `add` for the same ip replaces it. */
export const wireBanSchema = z.object({
  ip: canonicalIpOrCidr,
  /** Epoch milliseconds when the ban ends, or null for a permanent ban. */
  until: z.int().min(0).nullable(),
  jail: z.string().min(1).max(MAX_JAIL_NAME_LENGTH),
  /** How to block; the agent's configured default when absent. */
  action: z.enum(BAN_ACTIONS).optional(),
  /** Destination ports to block; all ports when absent. */
  ports: z.array(z.int().min(1).max(65535)).min(1).max(MAX_PORTS_PER_BAN).optional(),
});

export type WireBan = z.infer<typeof wireBanSchema>;
