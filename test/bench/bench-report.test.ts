import { describe, expect, it } from 'vitest';
import { spread, spreadText } from '../../bench/support/spread';
import { headlineRows, headlineTable } from '../../bench/support/headlines.mjs';

describe('spread of several runs', () => {
  it('reports the median, min and max, rounded, and keeps every run', () => {
    expect(spread([30, 10, 20.46], 1)).toEqual({ median: 20.5, min: 10, max: 30, runs: [30, 10, 20.5] });
    expect(spreadText(spread([41_200, 39_800, 42_100]), ' events/s')).toBe('41,200 events/s (39,800-42,100)');
  });
});

describe('the table of npm run bench', () => {
  const ran = { command: 'npx tsx bench/x.bench.ts', exitCode: 0, loadAverage: { start: 3, end: 5, min: 2.5, max: 6 } };

  it("prints a bench's own headline rows, with the load average while it ran and when it ran", () => {
    const table = headlineTable({ ingest: { ...ran, ranAt: '2026-12-01T22:12:32.624Z', result: { headline: [{ what: 'ingest | 10 agents', figure: '7,100 events/s', goal: '50,000 events/s' }] } } });
    expect(table).toContain('| ingest | ingest \\| 10 agents | 7,100 events/s | 50,000 events/s | 2.5-6.0 | 2026-12-01 22:12 | `npx tsx bench/x.bench.ts` |');
  });

  it('says so in words when a bench failed, was skipped or wrote no result, never a figure', () => {
    expect(headlineRows('nftables', { skipped: 'needs root' })[0]?.figure).toBe('not run: needs root');
    expect(headlineRows('ingest', { ...ran, exitCode: 1, result: null })[0]?.figure).toMatch(/^failed \(exit 1\)/);
    expect(headlineRows('policy', { ...ran, result: null })[0]?.figure).toMatch(/^ran; its figures are in its output/);
  });

  it('reports a peer tool that is not installed instead of inventing its figure', () => {
    const rows = headlineRows('parse', { ...ran, result: { fleetban: { inProcess: { cpuLinesPerSec: { median: 600_000, min: 590_000, max: 610_000 } } } } });
    expect(rows.map((r) => r.figure)).toContain('not measured: fail2ban-regex is not installed here');
  });
});
