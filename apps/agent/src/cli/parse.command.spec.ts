import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/** Runs the built `fleetban-agent` bin, as a user would after `npm ci`. */
const root = join(__dirname, '..', '..', '..', '..');
const entry = join(root, 'dist', 'apps', 'agent', 'apps', 'agent', 'src', 'main.js');
const testdata = join(root, 'libs', 'asterisk-log', 'testdata');
const VICTIM = '203.0.113.66';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function agent(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'fleetban-agent.js'), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'fleetban-parse-'));
const samples = readdirSync(testdata).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(testdata, f), 'utf8')).join('\n');
const samplesFile = join(dir, 'samples.log');
writeFileSync(samplesFile, samples);

const L1 = `[2026-11-29 14:21:18] NOTICE[1638] chan_sip.c: Registration from '<sip:301@example.com>' failed for '198.51.100.43:5060' - Wrong password`;
const L3 = `[2026-11-29 14:21:19] SECURITY[1] res_security_log.c: SecurityEvent="ChallengeResponseFailed",EventTV="2026-11-29T14:21:19.000+0100",Severity="Error",Service="AMI",EventVersion="1",AccountID="admin",SessionID="0x7",LocalAddress="IPV4/TCP/0.0.0.0/5038",RemoteAddress="IPV4/TCP/198.51.100.12/51003",Challenge="SECRET1",Response="SECRET2",ExpectedResponse="SECRET3",SessionTV="2026-11-29T14:21:18.000+0100"`;
const small = `${L1}\n[2026-11-29 14:21:18] VERBOSE[2] pbx.c: Executing\n${L3}\r\n`;

beforeAll(() => {
  // Build the agent when its sources are newer than the build (npm test's pretest normally did it already).
  const sources = Math.max(...['apps/agent/src', 'libs/asterisk-log/src', 'libs/ip/src'].map((d) => newest(join(root, d))));
  if (!existsSync(entry) || statSync(entry).mtimeMs < sources) execFileSync(join(root, 'node_modules', '.bin', 'nest'), ['build', 'agent'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
}, 320_000);

describe('fleetban-agent parse (built bin)', () => {
  it('prints a readable summary of a file', () => {
    const r = agent(['parse', samplesFile]);
    expect(r.code).toBe(0);
    for (const label of ['lines read', 'events', 'InvalidAccountID', 'unique IPs', 'top IPs by failures', 'lines rejected', 'ambiguous-address', 'lines/s', 'MB/s']) expect(r.stdout).toContain(label);
    const physicalLines = samples.split('\n').length - (samples.endsWith('\n') ? 1 : 0);
    expect(r.stdout).toMatch(new RegExp(`lines read\\s+${physicalLines}\\n`));
    expect(r.stdout + r.stderr).not.toContain('SECRET');
    expect(r.stdout).not.toMatch(new RegExp(`^\\s+${VICTIM.replace(/\./g, '\\.')}\\s`, 'm'));
  });

  it('prints one JSON object per event with --json, line numbers 1-based, the summary on stderr, no secret', () => {
    const file = join(dir, 'small.log');
    writeFileSync(file, small);
    const r = agent(['parse', file, '--json', '--timezone', 'Europe/Paris']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual([
      { line: 1, time: '2026-11-29T13:21:18.000Z', type: 'InvalidPassword', failure: true, ip: '198.51.100.43', port: 5060, transport: null, service: 'SIP', account: '301', session: null, localAddress: null, source: 'notice' },
      { line: 3, time: '2026-11-29T13:21:19.000Z', type: 'ChallengeResponseFailed', failure: true, ip: '198.51.100.12', port: 51003, transport: 'TCP', service: 'AMI', account: 'admin', session: '0x7', localAddress: '0.0.0.0:5038', source: 'security' },
    ]);
    const summary = JSON.parse(r.stderr) as { lines: number; events: number; ignored: number };
    expect(summary).toMatchObject({ lines: 3, events: 2, ignored: 1 });
    expect(r.stdout + r.stderr).not.toContain('SECRET');
  });

  it('reads stdin with -, including a last line without newline, through npx', () => {
    const r = spawnSync('npx', ['--no-install', 'fleetban-agent', 'parse', '-', '--json'], { cwd: root, input: `${L3}\n${L1}`, encoding: 'utf8', timeout: 110_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip)).toEqual(['198.51.100.12', '198.51.100.43']);
  }, 120_000); // npx is npm: seen taking 49 s on a loaded CI machine, 2 s on an idle one

  it('never prints the forged address of the injection samples', () => {
    // The samples without their comments: a line without prefix right after a security entry would be read as its continuation.
    const text = readFileSync(join(testdata, 'injection.log'), 'utf8');
    const ambiguous = text.split('\n').filter((l) => l === '# expect: {"rejected": "ambiguous-address"}').length;
    const r = agent(['parse', '-', '--json'], text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).join('\n'));
    expect(r.code).toBe(0);
    const ips = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip);
    expect(ips.length).toBeGreaterThan(10);
    // Attacker text (sessions, accounts) may quote the victim; the address never does.
    expect(ips).not.toContain(VICTIM);
    expect(ambiguous).toBeGreaterThan(5);
    expect(JSON.parse(r.stderr)).toMatchObject({ rejected: { 'ambiguous-address': ambiguous } });
  });

  it('streams a large input and agrees with itself on every line', () => {
    const big = `${small}`.repeat(50_000);
    const r = agent(['parse', '-', '--json'], big);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(100_000);
    expect(JSON.parse(lines[lines.length - 1] as string)).toMatchObject({ line: 150_000, ip: '198.51.100.12' });
  });

  it('exits 2 with a clear message for an unknown command, a bad flag, a missing input or an unknown zone', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [[], /usage: fleetban-agent <command>/],
      [['parse', samplesFile, '--bogus'], /Unknown option '--bogus'/],
      [['parse'], /missing <file\|->/],
      [['parse', 'a', 'b'], /one input only/],
      [['parse', samplesFile, '--timezone', 'Mars/Olympus'], /unknown time zone 'Mars\/Olympus'/],
    ];
    for (const [args, message] of cases) {
      const r = agent(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('exits 1 when the file cannot be read, and says so', () => {
    const r = agent(['parse', join(dir, 'missing.log')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*missing\.log: ENOENT/);
  });

  it('prints help with exit 0', () => {
    expect(agent(['parse', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: fleetban-agent parse') });
    expect(agent(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('parse') });
  });
});
