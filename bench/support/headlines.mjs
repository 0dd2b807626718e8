// The headline figures of a bench's result JSON, as rows for the table of bench/results/latest.md.
// A bench states its own headline: a `headline` list of { what, figure, goal? } in its result file. A figure
// that could not be measured (a peer tool not installed, a phase that failed) says so in words, never a number.
// The summaries below only cover result files written before benches stated a headline; prefer `headline`.

const n = (x) => (typeof x === 'number' ? x.toLocaleString('en-US') : null);
const row = (what, figure, goal) => (figure === null || figure === undefined ? null : { what, figure, goal });

const LEGACY = {
  parse: (r) => [
    row('parse in process, mixed lines (CPU)', r.fleetban?.inProcess?.cpuLinesPerSec && `${n(r.fleetban.inProcess.cpuLinesPerSec.median)} lines/s (${n(r.fleetban.inProcess.cpuLinesPerSec.min)}-${n(r.fleetban.inProcess.cpuLinesPerSec.max)})`),
    row('`fleetban-agent parse` end to end (CPU)', r.fleetban?.cli?.cpuLinesPerSec && `${n(r.fleetban.cli.cpuLinesPerSec.median)} lines/s`),
    row('parser over blocks, fresh process: first pass / warm (CPU)', r.fleetban?.blockPasses && `${n(r.fleetban.blockPasses.firstPassLinesPerSec)} / ${n(r.fleetban.blockPasses.warmLinesPerSec)} lines/s`),
    r.fail2ban?.cpuLinesPerSec
      ? row('fail2ban-regex, asterisk filter (CPU)', `${n(r.fail2ban.cpuLinesPerSec.median)} lines/s: fleetban ${r.ratio?.inProcessVsFail2ban}x in process, ${r.ratio?.cliVsFail2ban}x end to end`, r.ratio?.goal && `${r.ratio.goal}x`)
      : row('fail2ban-regex, asterisk filter', 'not measured: fail2ban-regex is not installed here'),
  ],
  propagation: (r) => [
    row(`propagation, decisive event to all of ${r.agents} agents`, r.decisiveEventToEveryAgentMs && `p50 ${r.decisiveEventToEveryAgentMs.p50} ms, p99 ${r.decisiveEventToEveryAgentMs.p99} ms`, r.goal?.p99ServerSideMs && `p99 < ${r.goal.p99ServerSideMs} ms`),
  ],
  'propagation-real': (r) => [
    row('propagation, real agents: decisive log line on PBX 1 to the nftables element on the others', r.sides?.fleetban?.allRemote && `p50 ${r.sides.fleetban.allRemote.p50OfRuns?.median} ms, p99 ${r.sides.fleetban.allRemote.p99OfRuns?.median} ms (medians of ${r.runs} runs)`, r.goal?.p99Ms && `p99 < ${r.goal.p99Ms} ms`),
    ...['pyinotify', 'polling'].map((backend) => {
      const side = r.sides?.[`fail2ban-${backend}`]?.bothSets;
      const skipped = r.skipped?.[`fail2ban-${backend}`];
      const what = `fail2ban, backend ${backend}, same lines: to the ban on its own host only (asterisk jail, nftables action)`;
      return side ? row(what, `p50 ${side.p50OfRuns?.median} ms, p99 ${side.p99OfRuns?.median} ms (medians of ${r.runs} runs)`) : row(what, `not measured: ${skipped ?? 'fail2ban is not installed here'}`);
    }),
  ],
  decisions: (r) => [
    row(`decisions, flood of ${n(r.setup?.ips)} IPs (backlog)`, r.backlog?.ipsEvaluatedPerSecond && `${n(r.backlog.ipsEvaluatedPerSecond.median)} IPs evaluated/s (${n(r.backlog.ipsEvaluatedPerSecond.min)}-${n(r.backlog.ipsEvaluatedPerSecond.max)}), ${n(r.backlog.bansPerSecond?.median)} bans/s`),
    row('decisions: last decision after the flood ends', r.live?.lastDecisionAfterFloodEndMs && `${n(r.live.lastDecisionAfterFloodEndMs.median)} ms`),
  ],
  nftables: (r) => [
    row(`nftables snapshot of ${n(r.elements)} elements, cold`, r.snapshot100k?.cold && `${n(Math.round(r.snapshot100k.cold.medianMs))} ms median (${n(Math.round(r.snapshot100k.cold.minMs))}-${n(Math.round(r.snapshot100k.cold.maxMs))})`, r.goals?.snapshotMs && `< ${n(r.goals.snapshotMs)} ms`),
    row('nftables one-element delta, 100k present', r.deltaOneWith100kPresent?.session && `${r.deltaOneWith100kPresent.session.medianMs} ms median, p90 ${r.deltaOneWith100kPresent.session.p90Ms} ms`, r.goals?.deltaMs && `< ${r.goals.deltaMs} ms`),
  ],
};

/** Rows { what, figure, goal } for one bench's outcome in the runner. */
export function headlineRows(name, outcome) {
  if (outcome.skipped) return [{ what: name, figure: `not run: ${outcome.skipped}` }];
  if (outcome.exitCode !== 0) return [{ what: name, figure: `failed (exit ${outcome.exitCode}); see its output` }];
  const result = outcome.result;
  if (!result) return [{ what: name, figure: 'ran; its figures are in its output (it writes no result file)' }];
  const rows = Array.isArray(result.headline) ? result.headline : (LEGACY[name]?.(result) ?? []).filter(Boolean);
  return rows.length > 0 ? rows : [{ what: name, figure: 'ran; no headline in its result file' }];
}

const cell = (text) => String(text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The markdown table of every bench's headline, ready to paste in the README. */
export function headlineTable(benches) {
  const lines = ['| bench | what | figure | goal | load avg | ran (UTC) | command |', '|---|---|---|---|---|---|---|'];
  for (const [name, outcome] of Object.entries(benches)) {
    const load = outcome.loadAverage ? `${outcome.loadAverage.min.toFixed(1)}-${outcome.loadAverage.max.toFixed(1)}` : '';
    const ran = outcome.ranAt ? outcome.ranAt.slice(0, 16).replace('T', ' ') : '';
    for (const r of headlineRows(name, outcome)) lines.push(`| ${name} | ${cell(r.what)} | ${cell(r.figure)} | ${cell(r.goal)} | ${load} | ${ran} | ${outcome.command ? `\`${outcome.command}\`` : ''} |`);
  }
  return lines.join('\n');
}
