import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NftablesEnforcer } from '@fleetban/nftables';
import { netnsUnavailableReason } from '../support/netns';
import { TrafficListener, tcpConnect, udpReaches } from '../support/netns-traffic';
import { ATTACKER_V4, ATTACKER_V6, PBX_V4, PBX_V6, createEnforcerLab, pbxEnforcer, type EnforcerLab } from './enforcer-lab';

const unavailable = netnsUnavailableReason(['ip', 'nft']);
const hour = 3_600_000;

describe.skipIf(unavailable !== null)(`nftables enforcer: traffic between namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let env: EnforcerLab;
  let listener: TrafficListener;
  let enforcer: NftablesEnforcer;

  beforeAll(async () => {
    env = await createEnforcerLab();
    listener = await TrafficListener.start(env.pbx, [5060, 5070]);
  });

  afterEach(async () => {
    await enforcer.removeTable();
    await enforcer.close();
  });

  afterAll(async () => {
    listener?.stop();
    await env?.lab.destroy();
  });

  it('blocks a banned IPv4 address and lets it through again once lifted, counting what it dropped', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(true);

    await enforcer.applyDelta({ add: [{ ip: ATTACKER_V4, until: Date.now() + hour }], remove: [] }, Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(false);
    expect((await enforcer.dropped()).packets).toBeGreaterThanOrEqual(3);

    await enforcer.applyDelta({ add: [], remove: [ATTACKER_V4] }, Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(true);
  });

  it('blocks a banned IPv6 address and lets it through again once lifted', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    expect(await udpReaches(env.attacker, listener, PBX_V6, 5060)).toBe(true);

    await enforcer.applySnapshot([{ ip: ATTACKER_V6, until: null }], Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V6, 5060)).toBe(false);
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(true);

    await enforcer.applySnapshot([], Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V6, 5060)).toBe(true);
  });

  it('blocks every address of a banned network', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    await enforcer.applyDelta({ add: [{ ip: '198.18.0.2/31', until: Date.now() + hour }, { ip: 'fd00:fb::/127', until: null }], remove: [] }, Date.now());
    expect(await enforcer.list()).toEqual(expect.arrayContaining([expect.objectContaining({ cidr: '198.18.0.2/31', set: 'banned4net' })]));
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(false);
  });

  it('refuses a ban that covers a protected address, and leaves it out of the kernel', async () => {
    enforcer = pbxEnforcer(env.pbx, { protected: [PBX_V4, PBX_V6, '198.18.0.2/32'] });
    await enforcer.ensureTable();
    const result = await enforcer.applyDelta({ add: [{ ip: '198.18.0.0/24', until: null }, { ip: ATTACKER_V4, until: null }, { ip: '203.0.113.9', until: null }], remove: [] }, Date.now());
    expect(result.refused.map((r) => [r.ip, r.kind])).toEqual([
      ['198.18.0.0/24', 'protected'],
      [ATTACKER_V4, 'protected'],
    ]);
    expect((await enforcer.list()).map((e) => e.cidr)).toEqual(['203.0.113.9']);
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(true);
  });

  it('bans only on the configured ports when told so', async () => {
    enforcer = pbxEnforcer(env.pbx, { ports: { tcp: [], udp: [5060] } });
    await enforcer.ensureTable();
    await enforcer.applySnapshot([{ ip: ATTACKER_V4, until: null }], Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(false);
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5070)).toBe(true);

    // Back to every port: the rules change, the element stays.
    await enforcer.ensureTable({ ports: null });
    expect((await enforcer.list()).map((e) => e.cidr)).toEqual([ATTACKER_V4]);
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5070)).toBe(false);
  });

  it('rejects with a TCP reset when the action is reject, and drops silently otherwise', async () => {
    enforcer = pbxEnforcer(env.pbx, { action: 'reject' });
    await enforcer.ensureTable();
    expect(await tcpConnect(env.attacker, PBX_V4, 5060, 5000)).toBe('connected');
    await enforcer.applySnapshot([{ ip: ATTACKER_V4, until: null }, { ip: ATTACKER_V6, until: null }], Date.now());
    expect(await tcpConnect(env.attacker, PBX_V4, 5060, 5000)).toBe('ECONNREFUSED');
    expect(await tcpConnect(env.attacker, PBX_V6, 5060, 5000)).toBe('ECONNREFUSED');

    await enforcer.ensureTable({ action: 'drop' });
    expect(await tcpConnect(env.attacker, PBX_V4, 5060, 1500)).toBe('timeout');
  });

  it('lets the kernel end a ban by its timeout, without the agent', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const until = Date.now() + 4000;
    await enforcer.applySnapshot([{ ip: ATTACKER_V4, until }], Date.now());
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now()) + 1000));
    expect(await enforcer.list()).toEqual([]);
    expect(await udpReaches(env.attacker, listener, PBX_V4, 5060)).toBe(true);
  });
});
