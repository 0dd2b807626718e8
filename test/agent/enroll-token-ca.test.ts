import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { makePrivateCa, opensslMissing } from '../packaging/private-ca';
import { AGENT_BIN } from '../support/agent-process';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { runBin, startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';

type Written = { server: { url: string; token: string; caFile?: string } };

// `fleetban-agent enroll` (the built bin) with the token on stdin or in a file, and with a private CA, against real
// servers: one over plain HTTP, one over TLS with a certificate that CA signed.
describe('fleetban-agent enroll: --token -, --token-file, --ca', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let tls: ServerApp | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-enroll-'));
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // the CA must come from --ca alone
  const token = (name: string): Promise<string> => server.app.get(AgentsService).add(name).then((added) => added.token);
  const enroll = (url: string, config: string, flags: string[], input?: string) => runBin(AGENT_BIN, ['enroll', '--server', url, '--config', config, '--dry-run', ...flags], env, input);
  const written = (config: string): Written => parse(readFileSync(config, 'utf8')) as Written;

  beforeAll(async () => {
    db = await createTestDatabase('enroll');
    redis = uniqueRedisPrefix('enroll');
    server = await startInProcess(db.url, redis.prefix);
  });
  afterAll(async () => {
    await tls?.shutdown();
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
  });

  it('reads the token from stdin with --token -', async () => {
    const secret = await token('pbx-stdin');
    const config = join(dir, 'stdin.yaml');
    const result = await enroll(server.url, config, ['--token', '-'], `${secret}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('enrolled as pbx-stdin');
    expect(written(config).server.token).toBe(secret);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const empty = await enroll(server.url, join(dir, 'stdin-empty.yaml'), ['--token', '-'], '');
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining('stdin (--token -) is empty')]);
  });

  it('reads the token from a file with --token-file, and says what is wrong with a bad one', async () => {
    const secret = await token('pbx-file');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `  ${secret}\n`, { mode: 0o600 });
    const config = join(dir, 'file.yaml');
    const result = await enroll(server.url, config, ['--token-file', tokenFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('enrolled as pbx-file');
    expect(written(config).server.token).toBe(secret);

    const missing = await enroll(server.url, join(dir, 'missing.yaml'), ['--token-file', join(dir, 'nope')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining(`--token-file ${join(dir, 'nope')}: no such file`)]);
    writeFileSync(join(dir, 'two-words'), `${secret} ${secret}\n`);
    const twoWords = await enroll(server.url, join(dir, 'two.yaml'), ['--token-file', join(dir, 'two-words')]);
    expect([twoWords.code, twoWords.stderr]).toEqual([2, expect.stringContaining('holds more than one word')]);
    const both = await enroll(server.url, join(dir, 'both.yaml'), ['--token', secret, '--token-file', tokenFile]);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('give --token or --token-file, not both')]);
    const none = await enroll(server.url, join(dir, 'none.yaml'), []);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('--token is required')]);
    expect(['missing', 'two', 'both', 'none'].some((name) => existsSync(join(dir, `${name}.yaml`)))).toBe(false);
  });

  it.skipIf(opensslMissing)('--ca: trusts a private CA for the check and writes it as caFile; refuses a missing or non-PEM file', async () => {
    const pki = makePrivateCa(mkdtempSync(join(dir, 'pki-')));
    tls = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_TLS_CERT: pki.certFile, FLEETBAN_TLS_KEY: pki.keyFile });
    expect(tls.url).toMatch(/^https:/);

    // Without the CA, the certificate cannot be verified: a failure, not "unreachable", and nothing written.
    const untrusted = await enroll(tls.url, join(dir, 'untrusted.yaml'), ['--token', '-'], await token('pbx-untrusted'));
    expect(untrusted.code, untrusted.stdout).toBe(1);
    expect(untrusted.stderr).toContain("the server's certificate is not trusted");
    expect(untrusted.stderr).toContain('--ca');
    expect(existsSync(join(dir, 'untrusted.yaml'))).toBe(false);

    const config = join(dir, 'tls.yaml');
    const trusted = await enroll(tls.url, config, ['--token', '-', '--ca', pki.caFile], await token('pbx-tls'));
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toContain('enrolled as pbx-tls');
    expect(trusted.stdout).toContain('fleetban test CA');
    expect(written(config).server).toMatchObject({ url: tls.url, caFile: pki.caFile });

    const missing = await enroll(tls.url, join(dir, 'no-ca.yaml'), ['--token', '-', '--ca', join(dir, 'no-ca.pem')], await token('pbx-no-ca'));
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining(`--ca ${join(dir, 'no-ca.pem')}: no such file`)]);
    // The private key is PEM, but not a certificate.
    const key = await enroll(tls.url, join(dir, 'key.yaml'), ['--token', '-', '--ca', pki.keyFile], await token('pbx-key'));
    expect([key.code, key.stderr]).toEqual([2, expect.stringContaining(`--ca ${pki.keyFile}: not a PEM certificate`)]);
    writeFileSync(join(dir, 'bad.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    const garbled = await enroll(tls.url, join(dir, 'bad.yaml'), ['--token', '-', '--ca', join(dir, 'bad.pem')], await token('pbx-bad'));
    expect([garbled.code, garbled.stderr]).toEqual([2, expect.stringContaining('not a PEM certificate')]);
    expect(['no-ca', 'key', 'bad'].some((name) => existsSync(join(dir, `${name}.yaml`)))).toBe(false);
  }, 60_000);
});
