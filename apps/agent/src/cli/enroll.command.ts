import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { parseAgentConfig, type AgentConfigInput } from '../config/agent-config';
import { EXIT_FAILURE, EXIT_OK, type AgentCommand } from './agent-command';
import { readOptions, requireOption } from './command-args';
import { readCa, readToken } from './enroll-inputs';
import { checkToken } from './token-check';

const USAGE = `usage: fleetban-agent enroll --server <url> (--token <token> | --token - | --token-file <file>) --config <file>
                             [--ca <pem>] [--log <file> ...] [--state-dir <dir>] [--timezone <zone>] [--dry-run]
                             [--table <name>] [--allow <cidr> ...]

Checks the token with the server, then writes the agent's config file (mode 0600: it holds the token).
--token - reads the token from stdin and --token-file from a file: either keeps it out of the process list.
--ca names the PEM certificate of a private CA that signed the server's certificate: trusted for the check,
and written to the config as caFile. --log names a file to follow (repeat it); the default is
/var/log/asterisk/security. --allow adds an address or network this host never blocks (your trunks, your
offices). Exit code 1 if the server refuses the token or its certificate is not trusted, 2 for a bad flag, token file or CA file.`;

export const enrollCommand: AgentCommand = {
  name: 'enroll',
  summary: 'check a token with the server and write the agent config',
  usage: USAGE,
  async run(args, io) {
    const o = readOptions(args, {
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      ca: { type: 'string' },
      config: { type: 'string', short: 'c' },
      log: { type: 'string', multiple: true },
      allow: { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      timezone: { type: 'string' },
      table: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    if (o.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    const file = requireOption(o.config as string | undefined, 'config');
    const url = requireOption(o.server as string | undefined, 'server');
    const token = await readToken(o.token as string | undefined, o['token-file'] as string | undefined, io.stdin);
    const ca = o.ca === undefined ? undefined : await readCa(o.ca as string);
    const document: AgentConfigInput = {
      server: { url, token, ...(ca ? { caFile: ca.path } : {}) },
      ...(o.log ? { logs: o.log as string[] } : {}),
      ...(o['state-dir'] ? { stateDir: o['state-dir'] as string } : {}),
      ...(o.timezone ? { timezone: o.timezone as string } : {}),
      firewall: {
        ...(o.table ? { table: o.table as string } : {}),
        ...(o['dry-run'] ? { dryRun: true } : {}),
        allowlist: ['127.0.0.0/8', '::1', ...((o.allow as string[] | undefined) ?? [])],
      },
    };
    parseAgentConfig(document, file); // the same validation `run` applies: a bad flag fails now, not at start
    const check = await checkToken(url, token, ca?.pem);
    if (check.outcome === 'refused') {
      io.stderr.write(`fleetban-agent: the server refused this token (${check.detail}). Ask for a new one: fleetban-server agent add <name>\n`);
      return EXIT_FAILURE;
    }
    if (check.outcome === 'untrusted') {
      const hint = ca ? `is ${ca.path} the CA that signed it?` : 'if a private CA signed it, enroll again with --ca <its PEM file>';
      io.stderr.write(`fleetban-agent: the server's certificate is not trusted (${check.detail}): ${hint}. Nothing was written.\n`);
      return EXIT_FAILURE;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `# fleetban agent configuration (docs/agent.md). Holds the agent's token: keep it 0600.\n${stringify(document)}`, { mode: 0o600 });
    if (ca) io.stdout.write(`trusting the CA ${ca.subject} (${ca.path}) for ${url}\n`);
    io.stdout.write(check.outcome === 'accepted' ? `${check.detail}; wrote ${file}\nStart the agent: fleetban-agent run --config ${file}\n` : `wrote ${file}, but could not reach ${url} (${check.detail}): check the URL and that the server runs; the agent retries by itself once started\n`);
    return EXIT_OK;
  },
};
