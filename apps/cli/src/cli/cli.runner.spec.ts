import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.runner';

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env, now: () => 0 });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints the overview on --help with exit 0, documenting the exit codes and the environment', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const text of ['FLEETBAN_URL', 'FLEETBAN_TOKEN', 'exit codes:', '  3  cannot reach the server', '  4  not authenticated', 'allow add', 'events top']) expect(stdout).toContain(text);
  });

  it("prints a command's help with exit 0", async () => {
    const { code, stdout } = await cli(['jail', 'set', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: fleetban jail set NAME key=value ...');
    expect(stdout).toContain('ignoreip=10.0.0.0/8,192.0.2.1');
  });

  it('exits 2 on usage errors, with the problem and the usage on stderr and nothing on stdout', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^fleetban: unknown command 'frobnicate'\n\nusage: fleetban status/);
    const missing = await cli(['ban']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("fleetban: missing IP|CIDR\n\nusage: fleetban ban IP|CIDR [--for 1h|2d|permanent] [--reason TEXT] [--jail J] [--agent A]\nRun 'fleetban ban --help' for more.\n");
    expect((await cli(['bans', '--nope'])).code).toBe(2);
    expect((await cli(['ban', '192.0.2.1', '--for', 'a while'])).stderr).toContain('--for: "a while" is not a duration');
  });

  it('exits 3 when nothing listens at the URL, naming it, and never prints the token', async () => {
    const url = await closedPortUrl();
    const { code, stdout, stderr } = await cli(['bans', '--url', url], { FLEETBAN_TOKEN: 'very-secret-token-value' });
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain(`cannot reach the fleetban server at ${url}`);
    expect(stderr).toContain('FLEETBAN_URL');
    expect(stderr).not.toContain('very-secret-token-value');
  });
});
