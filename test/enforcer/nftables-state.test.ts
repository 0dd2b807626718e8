import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NftCli, NftError, NftablesEnforcer, type EnforcedElement } from '@fleetban/nftables';
import { netnsUnavailableReason } from '../support/netns';
import { createEnforcerLab, pbxEnforcer, type EnforcerLab } from './enforcer-lab';

const unavailable = netnsUnavailableReason(['ip', 'nft']);
const hour = 3_600_000;
const HOST_FIREWALL = `table inet hostfw {
  set trusted { type ipv4_addr; elements = { 192.0.2.10 } }
  chain input { type filter hook input priority filter; policy accept; ip saddr @trusted tcp dport 22 counter accept; }
}
`;

const byCidr = (elements: EnforcedElement[]) => Object.fromEntries(elements.map((e) => [e.cidr, e]));

describe.skipIf(unavailable !== null)(`nftables enforcer: kernel state${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let env: EnforcerLab;
  let enforcer: NftablesEnforcer;
  const nft = async (...args: string[]) => (await env.pbx.exec(['nft', ...args])).stdout;

  beforeAll(async () => {
    env = await createEnforcerLab();
  });

  afterEach(async () => {
    await enforcer.removeTable();
    await enforcer.close();
  });

  afterAll(async () => {
    await env?.lab.destroy();
  });

  it('writes each ban with its time left as timeout, none for permanent bans, and skips ended ones', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const now = Date.now();
    const result = await enforcer.applySnapshot(
      [
        { ip: '203.0.113.1', until: now + hour },
        { ip: '203.0.113.2', until: null },
        { ip: '203.0.113.3', until: now - 1 },
        { ip: '2001:db8::/48', until: now + 2 * hour },
      ],
      now,
    );
    expect(result).toMatchObject({ applied: 3, expired: 1, refused: [] });
    const elements = byCidr(await enforcer.list());
    expect(Object.keys(elements).sort()).toEqual(['2001:db8::/48', '203.0.113.1', '203.0.113.2']);
    expect(elements['203.0.113.1']).toMatchObject({ set: 'banned4', timeout: 3600 });
    expect(elements['203.0.113.1']?.expires).toBeGreaterThan(3590);
    expect(elements['203.0.113.2']).toMatchObject({ timeout: null, expires: null });
    expect(elements['2001:db8::/48']).toMatchObject({ set: 'banned6net', timeout: 7200 });
  });

  it('refreshes the timeout of an element added again, address or network', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const now = Date.now();
    await enforcer.applySnapshot([{ ip: '203.0.113.1', until: now + 60_000 }, { ip: '198.51.100.0/24', until: now + 60_000 }], now);
    await enforcer.applyDelta({ add: [{ ip: '203.0.113.1', until: now + 2 * hour }, { ip: '198.51.100.0/24', until: now + 3 * hour }], remove: [] }, now);
    const elements = byCidr(await enforcer.list());
    expect(elements['203.0.113.1']?.timeout).toBe(7200);
    expect(elements['198.51.100.0/24']?.timeout).toBe(10_800);
  });

  it('makes the sets exactly equal to each snapshot', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const now = Date.now();
    await enforcer.applySnapshot(['203.0.113.1', '203.0.113.2', '198.51.100.0/24', '2001:db8::1'].map((ip) => ({ ip, until: null })), now);
    await enforcer.applySnapshot(['203.0.113.2', '203.0.113.3', '2001:db8::/32'].map((ip) => ({ ip, until: now + hour })), now);
    expect((await enforcer.list()).map((e) => e.cidr).sort()).toEqual(['2001:db8::/32', '203.0.113.2', '203.0.113.3']);
  });

  it('lifts bans that are not there without failing the batch, and keeps nested networks consistent', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const now = Date.now();
    await enforcer.applyDelta({ add: [{ ip: '203.0.113.0/24', until: now + hour }], remove: ['192.0.2.77', '10.9.0.0/16', '2001:db8::5'] }, now);
    const nested = await enforcer.applyDelta({ add: [{ ip: '203.0.113.128/25', until: null }, { ip: '192.0.2.1', until: null }], remove: [] }, now);
    expect(nested.shadowed).toEqual(['203.0.113.128/25']);
    expect(nested.reassertAt).toBe(now + hour);
    expect((await enforcer.list()).map((e) => e.cidr).sort()).toEqual(['192.0.2.1', '203.0.113.0/24']);

    // Lifting the outer network brings the inner one into the kernel, in the same batch.
    await enforcer.applyDelta({ add: [], remove: ['203.0.113.0/24', '192.0.2.1'] }, now);
    expect(await enforcer.list()).toEqual([expect.objectContaining({ cidr: '203.0.113.128/25', timeout: null })]);
  });

  it('re-running ensureTable keeps the elements, and a changed set definition is re-created and reported', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    await enforcer.applySnapshot([{ ip: '203.0.113.1', until: null }], Date.now());
    expect(await enforcer.ensureTable()).toEqual({ recreatedSets: [], reapplySnapshot: false });
    expect(await enforcer.ensureTable({ hook: 'input' })).toEqual({ recreatedSets: [], reapplySnapshot: false });
    expect(await enforcer.ensureTable({ protected: ['127.0.0.0/8', '203.0.113.1'] })).toEqual({ recreatedSets: [], reapplySnapshot: true });
    expect((await enforcer.list()).map((e) => e.cidr)).toEqual(['203.0.113.1']);
    expect(await nft('list', 'chains', 'inet')).toMatch(/chain input \{\s+type filter hook input priority filter - 10; policy accept;/);
    const resnapshot = await enforcer.applySnapshot([{ ip: '203.0.113.1', until: null }], Date.now());
    expect(resnapshot.refused).toEqual([expect.objectContaining({ ip: '203.0.113.1', kind: 'protected' })]);
    expect(await enforcer.list()).toEqual([]);

    // A table from an older layout: banned4 as an interval set.
    await enforcer.removeTable();
    await env.pbx.exec(['nft', '-f', '-'], 'table inet fbtest { set banned4 { type ipv4_addr; flags interval, timeout; elements = { 203.0.113.0/24 }; }; }\n');
    expect(await enforcer.ensureTable()).toEqual({ recreatedSets: ['banned4'], reapplySnapshot: true });
    expect(await nft('list', 'set', 'inet', 'fbtest', 'banned4')).toMatch(/flags timeout\n/);
  });

  it('never touches another table, and uninstalling leaves the ruleset exactly as before', async () => {
    await env.pbx.exec(['nft', '-f', '-'], HOST_FIREWALL);
    const before = await nft('list', 'ruleset');
    const hostTable = await nft('list', 'table', 'inet', 'hostfw');
    enforcer = pbxEnforcer(env.pbx, { hook: 'input' });
    await enforcer.ensureTable();
    await enforcer.applySnapshot([{ ip: '192.0.2.10', until: null }, { ip: '198.51.100.0/24', until: null }], Date.now());
    await enforcer.applyDelta({ add: [{ ip: '192.0.2.11', until: null }], remove: ['192.0.2.10'] }, Date.now());
    await enforcer.ensureTable({ action: 'reject' });
    expect(await nft('list', 'table', 'inet', 'hostfw')).toBe(hostTable);

    await enforcer.removeTable();
    await enforcer.removeTable();
    expect(await nft('list', 'tables')).not.toContain('fbtest');
    expect(await nft('list', 'ruleset')).toBe(before);
    await env.pbx.exec(['nft', 'delete', 'table', 'inet', 'hostfw']);
  });

  it('works through one nft process per batch too, and reports nft errors with what nft said', async () => {
    enforcer = new NftablesEnforcer({ table: 'fbtest' }, new NftCli({ prefix: env.pbx.prefix }));
    await enforcer.ensureTable();
    await enforcer.applyDelta({ add: [{ ip: '203.0.113.1', until: null }], remove: ['203.0.113.2'] }, Date.now());
    expect((await enforcer.list()).map((e) => e.cidr)).toEqual(['203.0.113.1']);
    const error = await new NftCli({ prefix: env.pbx.prefix }).run('add element inet fbtest nosuchset { 1.2.3.4 }\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NftError);
    expect((error as NftError).output).toMatch(/No such file or directory/);
  });

  it('applies a delta of a few hundred bans whole, and carries on after its kept nft process died', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    const now = Date.now();
    for (const size of [150, 400]) {
      const add = Array.from({ length: size }, (_, i) => ({ ip: `203.0.${i >> 8}.${i & 255}`, until: now + hour }));
      await enforcer.applyDelta({ add, remove: [] }, now);
      expect((await enforcer.list()).length).toBe(size);
    }

    const pids = (await env.pbx.exec(['ip', 'netns', 'pids', env.pbx.name])).stdout.split('\n').filter(Boolean);
    const command = (pid: string): string => (existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '');
    const nftPids = pids.filter((pid) => command(pid) === 'nft');
    expect(nftPids).toHaveLength(1);
    process.kill(Number(nftPids[0]), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await enforcer.applyDelta({ add: [], remove: ['203.0.0.0'] }, now);
    expect((await enforcer.list()).length).toBe(399);
  });

  it('keeps working after a batch nft refused', async () => {
    enforcer = pbxEnforcer(env.pbx);
    await enforcer.ensureTable();
    await env.pbx.exec(['nft', 'delete', 'table', 'inet', 'fbtest']);
    await expect(enforcer.applyDelta({ add: [{ ip: '203.0.113.1', until: null }], remove: [] }, Date.now())).rejects.toThrow(NftError);
    await enforcer.ensureTable();
    await enforcer.applyDelta({ add: [{ ip: '203.0.113.1', until: null }], remove: [] }, Date.now());
    expect((await enforcer.list()).map((e) => e.cidr)).toEqual(['203.0.113.1']);
  });
});
