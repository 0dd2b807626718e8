import { describe, expect, it } from 'vitest';
import { DEFAULT_ENFORCER_CONFIG, resolveEnforcerConfig } from './enforcer.config';

describe('resolveEnforcerConfig', () => {
  it('defaults to table inet fleetban, drop, prerouting, every port, loopback protected', () => {
    expect(resolveEnforcerConfig()).toEqual(DEFAULT_ENFORCER_CONFIG);
    expect(DEFAULT_ENFORCER_CONFIG).toMatchObject({ table: 'fleetban', action: 'drop', hook: 'prerouting', ports: null });
  });

  it('names every bad key at once, so nothing unchecked reaches an nft script', () => {
    const attempt = () =>
      resolveEnforcerConfig({
        table: 'x; flush ruleset',
        action: 'accept' as 'drop',
        ports: { tcp: [0, 5060], udp: [70000] },
        protected: ['10.0.0.0/8', 'nope'],
      });
    expect(attempt).toThrow(/table: .*; action: .*; ports.tcp: 0 .*; ports.udp: 70000 .*; protected: "nope"/);
  });

  it('refuses an empty port filter (null means every port)', () => {
    expect(() => resolveEnforcerConfig({ ports: { tcp: [], udp: [] } })).toThrow(/ports: empty/);
  });
});
