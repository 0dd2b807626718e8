import { parseCidr, formatCidr } from '@fleetban/ip';
import { parseDuration } from '@fleetban/policy';
import { DomainError } from '../common/domain-error';
import { InputError } from '../api/input-error';

/** The widest networks a manual ban may cover: wider ones are almost surely a mistake that would cut off customers. */
export const MIN_BAN_PREFIX = { 4: 8, 6: 32 } as const;

/** A ban target from user input: canonical, and not absurdly wide. */
export function banTarget(input: string, field = 'ip'): string {
  const cidr = parseCidr(input.trim(), { strict: false });
  if (cidr === null) throw new InputError(`"${input}" is not an IP address or CIDR`, field);
  const strict = parseCidr(input.trim());
  if (strict === null) throw new InputError(`"${input}" has host bits set below its prefix: did you mean ${formatCidr(cidr)}?`, field);
  const min = MIN_BAN_PREFIX[cidr.version];
  if (cidr.prefix < min) throw new InputError(`${formatCidr(cidr)} is too wide to ban: the widest allowed is /${min} for IPv${cidr.version}`, field);
  return formatCidr(cidr);
}

/** `permanent` or a duration (seconds, or 10m, 1h, 2d, 1w); returns seconds or null for permanent. */
export function banDurationInput(duration: unknown, permanent: boolean | undefined): number | null {
  if (permanent === true || duration === 'permanent') return null;
  if (duration === undefined || duration === null) return 3600;
  let seconds: number;
  try {
    seconds = parseDuration(duration as string | number);
  } catch (error) {
    throw new InputError((error as Error).message, 'duration');
  }
  if (seconds < 1) throw new InputError('a ban lasts at least 1 second: give a positive duration, or permanent', 'duration');
  return seconds;
}

export const notBanned = (ip: string): DomainError => new DomainError('not_banned', `no active ban covers ${ip}; \`fleetban bans --ip ${ip}\` shows its past bans`);
