import type { JailObject } from '../api/api-types';
import type { CliCommand } from '../cli/cli-command';
import { positionals, segment } from '../cli/command-args';
import { jailDetails, jailTable } from '../format/jail.view';
import { printable } from '../format/table.formatter';
import { parseJailSettings } from './jail-settings.parser';

const NOT_FOUND = { 404: "No such jail: 'fleetban jails' lists them." };

export const jailsCommand: CliCommand = {
  name: 'jails',
  summary: 'list the jails, or show every setting of one',
  args: '[NAME]',
  options: {},
  plan(input) {
    const [name] = positionals(input, [], ['NAME']);
    if (name === undefined) {
      return { requests: [{ method: 'GET', path: '/jails', list: { paginated: false } }], render: ([jails]) => jailTable(jails as JailObject[]) };
    }
    return { requests: [{ method: 'GET', path: `/jails/${segment(name)}` }], render: ([jail]) => jailDetails(jail as JailObject), hints: NOT_FOUND };
  },
};

export const jailSetCommand: CliCommand = {
  name: 'jail set',
  summary: "change a jail's settings; in force at once, no restart",
  args: 'NAME key=value ...',
  details: `Values: numbers, true/false, null, durations (10m, 1h, 1d; bantime also permanent), lists separated by commas
(ignoreip, eventTypes, ports), JSON for objects; dotted keys reach nested fields. Examples:
  fleetban jail set asterisk maxretry=5 findtime=10m bantime=1d
  fleetban jail set asterisk ignoreip=10.0.0.0/8,192.0.2.1 enabled=false
  fleetban jail set asterisk-aggressive increment.enabled=true increment.maxtime=1w`,
  options: {},
  plan(input) {
    const [name, ...settings] = input.positionals;
    if (name === undefined) positionals(input, ['NAME', 'key=value']);
    const patch = parseJailSettings(settings);
    return {
      requests: [{ method: 'PATCH', path: `/jails/${segment(name as string)}`, body: patch }],
      render: ([jail]) => `Jail ${printable((jail as JailObject).name)} updated; in force now:\n${jailDetails(jail as JailObject)}`,
      hints: { ...NOT_FOUND, 400: "Fix that setting: 'fleetban jail set --help' shows the value forms, 'fleetban jails NAME' the current values." },
    };
  },
};
