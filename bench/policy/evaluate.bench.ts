/**
 * Decision throughput of the pure policy: evaluations per second under a flood from 10,000 distinct IPs.
 * Run: npx tsx bench/policy/evaluate.bench.ts [ips] [failuresPerIp] [allowlistEntries]
 * The worker adds Redis and PostgreSQL round trips on top; this is the ceiling set by the policy itself.
 */
import { ASTERISK_JAIL, Allowlist, evaluate, type Failure } from '@fleetban/policy';

const [ips = 10_000, perIp = 5, entries = 100] = process.argv.slice(2).map(Number);
const now = Date.UTC(2026, 2, 1, 10, 0, 0);
const types = ['InvalidAccountID', 'ChallengeResponseFailed', 'InvalidPassword'] as const;

const allowlist = new Allowlist(Array.from({ length: entries }, (_, i) => ({ cidr: `198.${(i >> 8) & 255}.${i & 255}.0/24`, note: `trunk ${i}` })));
const flood: Failure[][] = Array.from({ length: ips }, (_, i) => {
  const ip = i % 2 === 0 ? `203.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `2001:db8::${i.toString(16)}`;
  return Array.from({ length: perIp }, (_, j) => ({
    time: now - j * 7_000,
    ip,
    agentId: `pbx-${(i + j) % 50}`,
    type: types[j % types.length] as Failure['type'],
    session: `call-${i}-${j >> 1}`,
    account: `${1000 + j}`,
  }));
});

function run(): { seconds: number; bans: number } {
  let bans = 0;
  const start = process.hrtime.bigint();
  for (const failures of flood) if (evaluate(ASTERISK_JAIL, failures, [], allowlist, now).ban) bans++;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bans };
}

run(); // warm-up
const rounds = Array.from({ length: 5 }, run);
const rates = rounds.map((r) => ips / r.seconds).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bench: 'policy.evaluate',
    ips,
    failuresPerIp: perIp,
    allowlistEntries: entries,
    bansPerRound: rounds[0]?.bans,
    evaluationsPerSecondMedian: Math.round(rates[2] ?? 0),
    evaluationsPerSecondMin: Math.round(rates[0] ?? 0),
    microsecondsPerEvaluationMedian: Number((1e6 / (rates[2] ?? 1)).toFixed(1)),
  }),
);
