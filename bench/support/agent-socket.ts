// A simulated agent's connection as the real agent opens it: upgrade with its token, hello, then wait for
// welcome. Shared by the load generators, which run in their own processes.
import WebSocket from 'ws';
import { encodeAgentMessage, PROTOCOL_VERSION } from '@fleetban/protocol';

export interface AgentSocketOptions {
  wsUrl: string;
  token: string;
  hostname: string;
  /** Loopback source address (127.0.0.x), so that many connections do not exhaust one address's ephemeral ports. */
  localAddress?: string;
  timeoutMs?: number;
}

/** Resolves with the open socket once the server has welcomed the agent; rejects on refusal or timeout. */
export function connectAgent(options: AgentSocketOptions): Promise<WebSocket> {
  const socket = new WebSocket(options.wsUrl, { headers: { authorization: `Bearer ${options.token}` }, perMessageDeflate: false, localAddress: options.localAddress });
  return new Promise<WebSocket>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${options.hostname}: no welcome within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    socket.once('error', fail);
    socket.once('close', (code: number) => fail(new Error(`${options.hostname}: closed (${code}) before welcome`)));
    socket.once('open', () => socket.send(encodeAgentMessage({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'bench', hostname: options.hostname, lastBanSeq: 0 })));
    const onMessage = (data: Buffer): void => {
      if (!data.toString().includes('"welcome"')) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      resolve(socket);
    };
    socket.on('message', onMessage);
  });
}

/** Connects every agent, `concurrency` upgrades at a time: a fleet reconnects over seconds, not in one instant. */
export async function connectFleet(agents: AgentSocketOptions[], concurrency = 50): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < agents.length; i += concurrency) sockets.push(...(await Promise.all(agents.slice(i, i + concurrency).map(connectAgent))));
  return sockets;
}
