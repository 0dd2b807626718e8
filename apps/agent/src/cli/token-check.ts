import { hostname } from 'node:os';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeServerMessage, encodeAgentMessage } from '@fleetban/protocol';
import { agentEndpoint } from '../link/server-link';
import { AGENT_VERSION } from '../version';

/**
 * What the server said of a token: accepted, refused, untrusted (its TLS certificate failed verification: a
 * misconfiguration, never fixed by retrying), or unreachable (cannot tell: the agent retries once started).
 */
export type TokenCheck = { outcome: 'accepted' | 'refused' | 'untrusted' | 'unreachable'; detail: string };

/** OpenSSL's verification failures, as Node names them in error.code. */
const UNTRUSTED = /^(ERR_TLS_CERT_ALTNAME_INVALID|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE))/;

/** Says hello with the token as the agent will, trusting only `ca` (a PEM) when given, as the running agent does. */
export async function checkToken(server: string, token: string, ca: Buffer | undefined): Promise<TokenCheck> {
  return new Promise((resolve) => {
    const socket = new WebSocket(agentEndpoint(server), { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: 5000, ...(ca ? { ca } : {}) });
    const done = (outcome: TokenCheck['outcome'], detail: string): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ outcome, detail });
    };
    const timer = setTimeout(() => done('unreachable', 'no answer within 8 s'), 8000);
    socket.on('open', () => socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: AGENT_VERSION, hostname: hostname() })));
    socket.on('message', (data: Buffer) => {
      const decoded = decodeServerMessage(data);
      if (decoded.ok && decoded.message.type === 'welcome') done('accepted', `enrolled as ${decoded.message.name}`);
      else if (decoded.ok && decoded.message.type === 'error') done('refused', decoded.message.message);
    });
    socket.on('unexpected-response', (_req, res) => done(res.statusCode === 401 ? 'refused' : 'unreachable', `HTTP ${res.statusCode}`));
    socket.on('error', (error: NodeJS.ErrnoException) => done(UNTRUSTED.test(error.code ?? '') ? 'untrusted' : 'unreachable', error.message));
  });
}
