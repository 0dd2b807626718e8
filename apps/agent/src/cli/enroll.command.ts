import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { PROTOCOL_VERSION, decodeServerMessage, encodeAgentMessage } from '@fleetban/protocol';
import { parseAgentConfig, type AgentConfigInput } from '../config/agent-config';
import { agentEndpoint } from '../link/server-link';
import { AGENT_VERSION } from '../version';
import { EXIT_FAILURE, EXIT_OK, type AgentCommand } from './agent-command';
import { readOptions, requireOption } from './command-args';

const USAGE = `usage: fleetban-agent enroll --server <url> --token <token> --config <file> [--log <file> ...]
                             [--state-dir <dir>] [--timezone <zone>] [--dry-run] [--table <name>] [--allow <cidr> ...]

Checks the token with the server, then writes the agent's config file (mode 0600: it holds the token).
--log names a file to follow (repeat it); the default is /var/log/asterisk/security. --allow adds an address or
network this host never blocks (your trunks, your offices). Exit code 1 if the server refuses the token.`;

/** Asks the server whether it accepts the token: true, false (refused), or null (unreachable: cannot tell). */
async function checkToken(server: string, token: string): Promise<{ ok: boolean | null; detail: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(agentEndpoint(server), { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: 5000 });
    const done = (ok: boolean | null, detail: string): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ ok, detail });
    };
    const timer = setTimeout(() => done(null, 'no answer within 8 s'), 8000);
    socket.on('open', () => socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: AGENT_VERSION, hostname: hostname() })));
    socket.on('message', (data: Buffer) => {
      const decoded = decodeServerMessage(data);
      if (decoded.ok && decoded.message.type === 'welcome') done(true, `enrolled as ${decoded.message.name}`);
      else if (decoded.ok && decoded.message.type === 'error') done(false, decoded.message.message);
    });
    socket.on('unexpected-response', (_req, res) => done(res.statusCode === 401 ? false : null, `HTTP ${res.statusCode}`));
    socket.on('error', (error) => done(null, error.message));
  });
}

export const enrollCommand: AgentCommand = {
  name: 'enroll',
  summary: 'check a token with the server and write the agent config',
  usage: USAGE,
  async run(args, io) {
    const o = readOptions(args, {
      server: { type: 'string' },
      token: { type: 'string' },
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
    const document: AgentConfigInput = {
      server: { url: requireOption(o.server as string | undefined, 'server'), token: requireOption(o.token as string | undefined, 'token') },
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
    const check = await checkToken(document.server.url, document.server.token);
    if (check.ok === false) {
      io.stderr.write(`fleetban-agent: the server refused this token (${check.detail}). Ask for a new one: fleetban-server agent add <name>\n`);
      return EXIT_FAILURE;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `# fleetban agent configuration (docs/agent.md). Holds the agent's token: keep it 0600.\n${stringify(document)}`, { mode: 0o600 });
    io.stdout.write(check.ok ? `${check.detail}; wrote ${file}\nStart the agent: fleetban-agent run --config ${file}\n` : `wrote ${file}, but could not reach ${document.server.url} (${check.detail}): check the URL and that the server runs; the agent retries by itself once started\n`);
    return EXIT_OK;
  },
};
