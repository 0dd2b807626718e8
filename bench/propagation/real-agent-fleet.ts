// Real PBX agents for a benchmark: the built `fleetban-agent`, enrolled with `enroll` as an operator would, each
// enforcing in the nftables of its own network namespace, each with an `nft monitor` watching that namespace.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { agentStatus, runAgentCommand, startAgent } from '../../test/support/agent-process';
import type { NetnsLab, Netns } from '../../test/support/netns';
import type { BenchFleet } from '../support/bench-fleet';
import { NftElementWatch, type WatchedSets } from '../support/nft-element-watch';

export interface RealAgent {
  name: string;
  netns: Netns;
  /** The Asterisk security log this agent follows. */
  log: string;
  process: ReturnType<typeof startAgent>;
  watch: NftElementWatch;
}

/** Where the agent puts single IPv4 addresses (libs/nftables README). */
export const AGENT_SETS: WatchedSets = { table: 'fleetban', sets: ['banned4'] };

export interface RealAgentOptions {
  /** spool.batchDelayMs; the agent's default (100 ms) when undefined. */
  batchDelayMs?: number;
}

/** Starts `count` agents for the fleet's first `count` tokens; returns when each is connected and its table is in place. */
export async function startRealAgents(lab: NetnsLab, fleet: BenchFleet, count: number, options: RealAgentOptions = {}): Promise<{ agents: RealAgent[]; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-bench-agents-'));
  const agents: RealAgent[] = [];
  const stop = async (): Promise<void> => {
    for (const agent of agents) {
      agent.watch.stop();
      await agent.process.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) agents.push(await startOne(lab, fleet, i, join(dir, `pbx${i + 1}`), options));
  } catch (error) {
    await stop();
    throw error;
  }
  return { agents, stop };
}

async function startOne(lab: NetnsLab, fleet: BenchFleet, index: number, home: string, options: RealAgentOptions): Promise<RealAgent> {
  const name = `pbx${index + 1}`;
  const netns = await lab.netns(name);
  const log = `${home}-security`;
  const config = `${home}.yaml`;
  writeFileSync(log, '');
  const token = fleet.tokens[index];
  if (token === undefined) throw new Error(`the fleet has no token for agent ${index}`);
  const enrolled = await runAgentCommand(['enroll', '--server', `http://127.0.0.1:${fleet.port}`, '--token', token, '--config', config, '--log', log, '--state-dir', `${home}-state`, '--timezone', 'UTC']);
  if (enrolled.code !== 0) throw new Error(`enroll of ${name} failed (${enrolled.code}): ${enrolled.stderr}`);
  const document = parse(readFileSync(config, 'utf8')) as { firewall?: Record<string, unknown>; spool?: Record<string, unknown> };
  document.firewall = { ...document.firewall, commandPrefix: netns.prefix };
  if (options.batchDelayMs !== undefined) document.spool = { ...document.spool, batchDelayMs: options.batchDelayMs };
  writeFileSync(config, stringify(document), { mode: 0o600 });
  const watch = await NftElementWatch.start(netns);
  const agent = startAgent(config);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await agentStatus(config).then((s) => s.connected, () => false);
    if (ready && (await netns.exec(['nft', 'list', 'set', 'inet', AGENT_SETS.table, AGENT_SETS.sets[0] as string]).then(() => true, () => false))) break;
    if (agent.child.exitCode !== null || Date.now() > deadline) {
      watch.stop();
      await agent.stop();
      throw new Error(`agent ${name} not connected with its table within 60 s:\n${agent.output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, netns, log, process: agent, watch };
}
