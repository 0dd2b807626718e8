import { parseJail, type Jail } from './jail.schema';

/** Loopback and private ranges, where a PBX's own phones and admins usually sit: the seed guide's ignoreip. */
export const PRIVATE_IGNOREIP = ['127.0.0.1/8', '10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12', '::1'];

/** The jail every fleet starts with: the seed guide's asterisk jail, counted across the whole fleet. On by default. */
export const ASTERISK_JAIL: Jail = parseJail({
  name: 'asterisk',
  enabled: true,
  scope: 'fleet',
  maxretry: 3,
  findtime: 600,
  bantime: 3600,
  action: 'drop',
  ignoreip: PRIVATE_IGNOREIP,
});

/**
 * The seed guide's aggressive mode for repeat offenders: 2 attempts in 5 minutes, banned 1 day, then 2, 4, capped
 * at 7 days. Shipped disabled: it runs beside `asterisk` on the same events, so enabling it is a deliberate choice
 * (a user expects the normal jail on and this one available). Factor 1 with fail2ban's formula gives the guide's
 * 1d, 2d, 4d, 7d; the guide's "factor 2" under fail2ban's formula would give 1d, 4d, 7d (see README).
 */
export const ASTERISK_AGGRESSIVE_JAIL: Jail = parseJail({
  name: 'asterisk-aggressive',
  enabled: false,
  scope: 'fleet',
  maxretry: 2,
  findtime: 300,
  bantime: 86_400,
  increment: { enabled: true, factor: 1, maxtime: 604_800 },
  action: 'drop',
  ignoreip: PRIVATE_IGNOREIP,
});

/** The jails a new installation gets, fresh copies each call. */
export function defaultJails(): Jail[] {
  return [structuredClone(ASTERISK_JAIL), structuredClone(ASTERISK_AGGRESSIVE_JAIL)];
}
