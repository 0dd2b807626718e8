import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-instance';

// `npm run demo`'s script, bounded by --exit: server, three agents, the scripted attack, the expected bans.
describe('the demo', () => {
  it('bans every scripted attacker on every PBX and spares the allowlisted trunk', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo.mjs'), '--exit'], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('every attacker is banned fleet-wide; the trunk provider is not.');
    for (const ip of ['203.0.113.10', '198.51.100.23', '192.0.2.77']) expect(output).toMatch(new RegExp(`BANNED ${ip.replace(/\./g, '\\.')} on every PBX`));
    expect(output).not.toContain('BANNED 203.0.113.200');
    expect(output).toMatch(/pbx-3: .*198\.51\.100\.23/);
    expect(result.status).toBe(0);
  }, 160_000);
});
