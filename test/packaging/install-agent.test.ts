import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentsService } from '../../apps/server/src/agents/agents.service';
import type { ServerApp } from '../../apps/server/src/app/server-app';
import { ATTACKER_V4, createEnforcerLab, PBX_V4, type EnforcerLab } from '../enforcer/enforcer-lab';
import { agentStatus } from '../support/agent-process';
import { NetnsLab, netnsUnavailableReason } from '../support/netns';
import { uniqueRedisPrefix } from '../support/redis-prefix';
import { ROOT, startInProcess } from '../support/server-instance';
import { createTestDatabase } from '../support/test-database';
import { makePrivateCa, opensslMissing } from './private-ca';
import { INSTALL_SCRIPT, installEnv, installPaths, runScript, UNINSTALL_SCRIPT, type InstallPaths } from './agent-install';

const ADMIN = 'install-admin-token-0123456789';
const unavailable = netnsUnavailableReason(['ip', 'nft']);
// With systemd running, a test must not enable a real service: it installs with --no-start instead.
const systemdRuns = existsSync('/run/systemd/system');
const startFlags = systemdRuns ? ['--no-start'] : [];
const canVerifyUnits = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { stdio: 'ignore' }).status === 0;

const hostRuleset = (): string => execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });
const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : []);

// packaging/install-agent.sh and uninstall-agent.sh as an admin runs them, against a real server, with every
// install path under a temporary root; the installed agent enforces in a network namespace standing for the PBX.
describe.skipIf(unavailable !== null)(`install-agent.sh and uninstall-agent.sh${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ReturnType<typeof uniqueRedisPrefix>;
  let server: ServerApp;
  let lab: EnforcerLab | undefined;
  let agent: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fleetban-install-'));
  const securityLog = join(dir, 'security');
  const newRoot = (name: string): InstallPaths => installPaths(join(dir, name));
  const token = (name: string): Promise<string> => server.app.get(AgentsService).add(name).then((added) => added.token);

  beforeAll(async () => {
    db = await createTestDatabase('install');
    redis = uniqueRedisPrefix('install');
    server = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN });
    writeFileSync(securityLog, '');
  });
  afterAll(async () => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    await server?.shutdown();
    await db?.drop();
    await redis?.cleanup();
    await lab?.lab.destroy();
  });

  it('--dry-run prints each step, hides the token, and changes nothing', async () => {
    const paths = newRoot('dry');
    const secret = await token('pbx-dry');
    const result = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token', secret, '--log', securityLog, '--dry-run'], installEnv(paths));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\+ .*fleetban-agent\.js enroll --server \S+ --token - /m);
    expect(result.stdout).toContain(`+ install -m 0755 ${realpathSync(join(ROOT, 'dist', 'fleetban-agent.js'))} ${paths.lib}/fleetban-agent.js`);
    expect(result.stdout).toContain(`${paths.unitDir}/fleetban-agent.service`);
    expect(result.stdout).toContain('dry run: nothing was changed');
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(filesUnder(join(dir, 'dry'))).toEqual([]);
  });

  it('stops before installing anything when the server refuses the token', async () => {
    const paths = newRoot('refused');
    const result = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token', 'fbt_not_a_token_of_this_fleet', '--log', securityLog, ...startFlags], installEnv(paths));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused this token');
    expect(result.stderr).toContain('nothing was installed');
    expect(filesUnder(join(dir, 'refused'))).toEqual([]);
  });

  it('hands the token to enroll on stdin: no command it runs has the token among its arguments', async () => {
    const paths = newRoot('argv');
    const secret = await token('pbx-argv');
    const tokenFile = join(dir, 'argv-token');
    writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
    // A node that records its arguments before it runs: every node command the script starts goes through it.
    const wrapperDir = mkdtempSync(join(dir, 'node-argv-'));
    const argvLog = join(wrapperDir, 'argv.log');
    writeFileSync(join(wrapperDir, 'node'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const env = { ...installEnv(paths), PATH: `${wrapperDir}:${process.env.PATH ?? ''}` };
    const installed = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token-file', tokenFile, '--log', securityLog, '--no-start'], env);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('enrolled as pbx-argv');
    const commands = readFileSync(argvLog, 'utf8');
    expect(commands).toMatch(/fleetban-agent\.js enroll --server \S+ --token - /);
    expect(commands).not.toContain(secret);
    expect((parse(readFileSync(paths.config, 'utf8')) as { server: { token: string } }).server.token).toBe(secret);

    const both = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token-file', tokenFile, '--token', secret, '--dry-run'], installEnv(newRoot('both')));
    expect([both.code, both.stderr]).toEqual([1, expect.stringContaining('give --token or --token-file, not both')]);
    const missing = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token-file', join(dir, 'no-token'), '--dry-run'], installEnv(newRoot('missing')));
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no such file')]);
  }, 60_000);

  it('refuses unknown options and a missing --server with the usage', async () => {
    const result = await runScript(INSTALL_SCRIPT, ['--token', 'x', '--frobnicate'], installEnv(newRoot('usage')));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --frobnicate');
    expect(result.stderr).toContain('install-agent.sh --server');
  });

  it('refuses a Node older than 20, and a host without nft', async () => {
    // Node 18 cannot run here: a stand-in answers the two questions the script asks it.
    const old = mkdtempSync(join(dir, 'node18-'));
    writeFileSync(join(old, 'node'), '#!/bin/sh\nif [ "$1" = --version ]; then echo v18.19.0; else echo 18; fi\n', { mode: 0o755 });
    const args = ['--server', server.url, '--token', 'fbt_never_used_0123456789', ...startFlags];
    const tooOld = await runScript(INSTALL_SCRIPT, args, { ...installEnv(newRoot('node18')), PATH: `${old}:${process.env.PATH ?? ''}` });
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toContain('Node.js 20 or later is needed');
    expect(tooOld.stderr).toContain('v18.19.0');
    // A PATH with what the script needs before its nft check, and no nft.
    const bare = mkdtempSync(join(dir, 'bin-'));
    for (const tool of ['bash', 'dirname', 'id', 'readlink', 'sed']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bare, tool));
    symlinkSync(process.execPath, join(bare, 'node'));
    const noNft = await runScript(INSTALL_SCRIPT, args, { ...installEnv(newRoot('nonft')), PATH: bare });
    expect(noNft.code, noNft.stderr).toBe(1);
    expect(noNft.stderr).toContain('nftables is needed');
    expect(filesUnder(join(dir, 'node18')).concat(filesUnder(join(dir, 'nonft')))).toEqual([]);
  });

  it('installs, enrolls and starts an agent that enforces; uninstall leaves the ruleset exactly as it was', async () => {
    lab = await createEnforcerLab();
    const pbx = lab.pbx;
    // The PBX's own firewall, which fleetban must leave as it found it.
    await pbx.exec(['nft', '-f', '-'], 'table inet filter {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 22 accept\n }\n}\n');
    const rulesetBefore = (await pbx.exec(['nft', 'list', 'ruleset'])).stdout;
    const hostRulesetBefore = hostRuleset();
    const paths = newRoot('real');
    const env = installEnv(paths);

    const installed = await runScript(INSTALL_SCRIPT, ['--server', server.url, '--token', await token('pbx-installed'), '--log', securityLog, '--allow', PBX_V4, '--timezone', 'UTC', ...startFlags], env);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('enrolled as pbx-installed');
    expect(installed.stdout).toContain(systemdRuns ? 'installed, not started (--no-start)' : 'systemd is not running here: start the agent');

    expect(statSync(paths.config).mode & 0o777).toBe(0o600);
    const config = parse(readFileSync(paths.config, 'utf8')) as { server: { url: string }; logs: string[]; stateDir: string; timezone: string; firewall: Record<string, unknown> };
    expect(config).toMatchObject({ server: { url: server.url }, logs: [securityLog], stateDir: paths.state, timezone: 'UTC' });
    expect(config.firewall.allowlist).toContain(PBX_V4);
    const link = join(paths.bin, 'fleetban-agent');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(realpathSync(link)).toBe(join(paths.lib, 'fleetban-agent.js'));
    expect(statSync(link).mode & 0o111).toBe(0o111);
    const unit = readFileSync(join(paths.unitDir, 'fleetban-agent.service'), 'utf8');
    const execStart = /^ExecStart=(\S+) (.*)$/m.exec(unit);
    expect(execStart?.[1], unit).toMatch(/^\/.*node$/);
    expect(existsSync(execStart?.[1] ?? '')).toBe(true);
    expect(execStart?.[2]).toBe(`${paths.lib}/fleetban-agent.js run --config ${paths.config}`);
    expect(unit).toContain(`ReadWritePaths=${paths.state}\n`);
    if (canVerifyUnits) {
      // systemd's own reading of the unit: unknown keys, bad values and a missing ExecStart binary are reported.
      const verify = spawnSync('systemd-analyze', ['verify', join(paths.unitDir, 'fleetban-agent.service')], { encoding: 'utf8' });
      expect([verify.status, verify.stderr + verify.stdout]).toEqual([0, '']);
    }
    expect(readFileSync(join(paths.logrotateDir, 'asterisk'), 'utf8')).toBe(readFileSync(join(ROOT, 'packaging', 'logrotate.asterisk'), 'utf8'));

    // This PBX lives in a namespace: its nft commands run there (the one setting a real PBX does not need).
    writeFileSync(paths.config, stringify({ ...config, firewall: { ...config.firewall, commandPrefix: pbx.prefix } }), { mode: 0o600 });
    agent = spawn(link, ['run', '--config', paths.config], { env: { ...process.env, FLEETBAN_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    await expect.poll(async () => (await agentStatus(paths.config)).connected, { timeout: 30_000, interval: 250 }).toBe(true);
    const ban = await fetch(`${server.url}/api/v1/bans`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ ip: ATTACKER_V4, duration: '1h', reason: 'install test' }) });
    expect(ban.status).toBe(201);
    await expect.poll(async () => (await pbx.exec(['nft', 'list', 'ruleset'])).stdout, { timeout: 15_000, interval: 200 }).toContain(ATTACKER_V4);

    const preview = await runScript(UNINSTALL_SCRIPT, ['--dry-run'], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`+ kill -TERM ${agent.pid}`);
    expect(preview.stdout).toMatch(/^\+ .*fleetban-agent\.js uninstall-firewall --config /m);
    expect([agent.exitCode, existsSync(link), (await pbx.exec(['nft', 'list', 'ruleset'])).stdout.includes(ATTACKER_V4)]).toEqual([null, true, true]);

    const exited = once(agent, 'exit');
    const removed = await runScript(UNINSTALL_SCRIPT, [], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/stopped the agent \(pid \d+\)/);
    await exited;
    expect((await pbx.exec(['nft', 'list', 'ruleset'])).stdout).toBe(rulesetBefore);
    expect(hostRuleset()).toBe(hostRulesetBefore);
    expect(existsSync(paths.lib) || existsSync(link) || existsSync(join(paths.unitDir, 'fleetban-agent.service')) || existsSync(join(paths.logrotateDir, 'asterisk'))).toBe(false);
    expect(existsSync(paths.config) && existsSync(paths.state)).toBe(true);

    const purged = await runScript(UNINSTALL_SCRIPT, ['--purge'], env);
    expect(purged.code, purged.stderr).toBe(0);
    expect(existsSync(paths.config) || existsSync(paths.state)).toBe(false);
  }, 120_000);

  it.skipIf(opensslMissing)('--ca: enrolls with a server whose certificate a private CA signed, and the installed agent trusts it', async () => {
    const pki = makePrivateCa(mkdtempSync(join(dir, 'pki-')));
    const tls = await startInProcess(db.url, redis.prefix, {}, { FLEETBAN_ADMIN_TOKEN: ADMIN, FLEETBAN_TLS_CERT: pki.certFile, FLEETBAN_TLS_KEY: pki.keyFile });
    const nsLab = new NetnsLab();
    let tlsAgent: ChildProcess | undefined;
    try {
      expect(tls.url).toMatch(/^https:/);
      const paths = newRoot('tls');
      const env = installEnv(paths);
      delete env.NODE_EXTRA_CA_CERTS;
      // A refused token, or a --ca that is not a certificate: nothing installed, not even ca.pem.
      const failedRoot = newRoot('tls-failed');
      const refused = await runScript(INSTALL_SCRIPT, ['--server', tls.url, '--token', '-', '--log', securityLog, '--ca', pki.caFile, '--no-start'], installEnv(failedRoot), 'fbt_not_a_token_of_this_fleet\n');
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('refused this token')]);
      const notPem = await runScript(INSTALL_SCRIPT, ['--server', tls.url, '--token', '-', '--log', securityLog, '--ca', pki.keyFile, '--no-start'], installEnv(failedRoot), await token('pbx-not-pem'));
      expect([notPem.code, notPem.stderr]).toEqual([1, expect.stringContaining('not a PEM certificate')]);
      expect(filesUnder(join(dir, 'tls-failed'))).toEqual([]);

      // The token on stdin (--token -) this time.
      const installed = await runScript(INSTALL_SCRIPT, ['--server', tls.url, '--token', '-', '--log', securityLog, '--ca', pki.caFile, '--no-start'], env, await token('pbx-tls'));
      expect(installed.code, installed.stderr).toBe(0);
      expect(installed.stdout).toContain('enrolled as pbx-tls');
      const config = parse(readFileSync(paths.config, 'utf8')) as { server: { caFile?: string }; firewall: Record<string, unknown> };
      const caFile = join(dirname(paths.config), 'ca.pem');
      expect(config.server.caFile).toBe(caFile);
      expect(readFileSync(caFile, 'utf8')).toBe(readFileSync(pki.caFile, 'utf8'));

      const ns = await nsLab.netns('tls');
      writeFileSync(paths.config, stringify({ ...config, firewall: { ...config.firewall, commandPrefix: ns.prefix } }), { mode: 0o600 });
      tlsAgent = spawn(join(paths.bin, 'fleetban-agent'), ['run', '--config', paths.config], { env: { ...env, FLEETBAN_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
      await expect.poll(async () => (await agentStatus(paths.config)).connected, { timeout: 30_000, interval: 250 }).toBe(true);

      const purged = await runScript(UNINSTALL_SCRIPT, ['--purge'], env);
      expect(purged.code, purged.stderr).toBe(0);
      expect(existsSync(caFile) || existsSync(paths.config)).toBe(false);
      expect((await ns.exec(['nft', 'list', 'ruleset'])).stdout).toBe('');
    } finally {
      if (tlsAgent && tlsAgent.exitCode === null) tlsAgent.kill('SIGKILL');
      await tls.shutdown();
      await nsLab.destroy();
    }
  }, 90_000);
});
