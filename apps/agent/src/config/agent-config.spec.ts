import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig, parseAgentConfig } from './agent-config';

const token = 'x'.repeat(43);

describe('agent configuration', () => {
  it('fills defaults around the two keys enroll writes', () => {
    const config = parseAgentConfig({ server: { url: 'https://fleet.example:8420', token }, timezone: 'UTC' }, 'agent.yaml');
    expect(config.logs).toEqual(['/var/log/asterisk/security']);
    expect(config.spool.maxBytes).toBe(100 * 1024 * 1024);
    expect(config.firewall).toMatchObject({ table: 'fleetban', action: 'drop', ports: [], dryRun: false });
  });

  it('names every bad key at once, with exit code 2', () => {
    let error: AgentConfigError | undefined;
    try {
      parseAgentConfig({ server: { url: 'ftp://x', token: 'short' }, firewall: { action: 'shoot', allowlist: ['10.0.0.0/8', 'office'] }, spool: { maxBytes: 'lots' }, colour: 'red' }, 'agent.yaml');
    } catch (e) {
      error = e as AgentConfigError;
    }
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(error?.exitCode).toBe(2);
    const text = error?.problems.join('\n') ?? '';
    for (const key of ['server.url', 'server.token', 'firewall.action', 'firewall.allowlist.1', 'spool.maxBytes', 'colour']) expect(text).toContain(key);
  });

  it('reads sizes written the human way', () => {
    const config = parseAgentConfig({ server: { url: 'wss://a:1', token }, timezone: 'UTC', spool: { maxBytes: '20MB' } }, 'f');
    expect(config.spool.maxBytes).toBe(20 * 1024 * 1024);
  });

  it('lets the environment override the file', () => {
    const config = parseAgentConfig({ server: { url: 'wss://a:1', token } }, 'f', { FLEETBAN_DRY_RUN: '1', FLEETBAN_TIMEZONE: 'Europe/Paris', FLEETBAN_SERVER_URL: 'https://b:2' });
    expect(config.firewall.dryRun).toBe(true);
    expect(config.timezone).toBe('Europe/Paris');
    expect(config.server.url).toBe('https://b:2');
  });

  it('rejects an unknown time zone and unreadable or non-YAML files with advice', () => {
    expect(() => parseAgentConfig({ server: { url: 'wss://a:1', token }, timezone: 'Mars/Olympus' }, 'f')).toThrow(/IANA time zone/);
    expect(() => loadAgentConfig('/nonexistent/agent.yaml')).toThrow(/fleetban-agent enroll/);
    const dir = mkdtempSync(join(tmpdir(), 'fb-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'server: [unclosed');
    expect(() => loadAgentConfig(join(dir, 'bad.yaml'))).toThrow(/not valid YAML/);
  });
});
