import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from './server-config';

describe('loadServerConfig', () => {
  it('fills defaults for a bare environment', () => {
    const config = loadServerConfig({});
    expect(config.port).toBe(8420);
    expect(config.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/fleetban');
    expect(config.publicUrl).toBe('http://127.0.0.1:8420');
    expect(config.tls).toBeUndefined();
  });

  it('reports every problem at once, naming each variable', () => {
    let error: unknown;
    try {
      loadServerConfig({ FLEETBAN_PORT: 'abc', DATABASE_URL: 'mysql://x', FLEETBAN_ADMIN_TOKEN: 'short', FLEETBAN_TLS_KEY: '/k.pem' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('FLEETBAN_PORT');
    expect(problems).toContain('DATABASE_URL: must be a postgresql:// URL');
    expect(problems).toContain('FLEETBAN_ADMIN_TOKEN');
  });

  it('reads CORS origins, none by default', () => {
    expect(loadServerConfig({}).corsOrigins).toEqual([]);
    expect(loadServerConfig({ FLEETBAN_CORS_ORIGINS: 'https://noc.example.com, http://localhost:3000' }).corsOrigins).toEqual(['https://noc.example.com', 'http://localhost:3000']);
    expect(() => loadServerConfig({ FLEETBAN_CORS_ORIGINS: '*' })).toThrow(/FLEETBAN_CORS_ORIGINS/);
  });

  it('reads trusted proxies as canonical CIDRs, none by default, and names a bad entry', () => {
    expect(loadServerConfig({}).trustedProxies).toEqual([]);
    expect(loadServerConfig({ FLEETBAN_TRUSTED_PROXIES: ' 172.28.0.0/16, 10.0.0.1,2001:DB8::/32 ' }).trustedProxies).toEqual(['172.28.0.0/16', '10.0.0.1', '2001:db8::/32']);
    expect(() => loadServerConfig({ FLEETBAN_TRUSTED_PROXIES: '172.28.0.0/16, nginx' })).toThrow(/FLEETBAN_TRUSTED_PROXIES: a comma-separated list of addresses or CIDRs/);
  });

  it('requires TLS certificate and key together', () => {
    expect(() => loadServerConfig({ FLEETBAN_TLS_KEY: '/k.pem' })).toThrow(/FLEETBAN_TLS_CERT and FLEETBAN_TLS_KEY/);
    expect(loadServerConfig({ FLEETBAN_TLS_KEY: '/k.pem', FLEETBAN_TLS_CERT: '/c.pem' }).publicUrl).toMatch(/^https:/);
  });
});
