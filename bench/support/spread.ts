// Several runs of one measurement reported as their median and spread, as every bench reports them.

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Median (the upper one of an even count), min and max of the runs, each rounded to `digits` decimals. */
export function spread(runs: readonly number[], digits = 0): Spread {
  const round = (x: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: round(sorted[Math.floor(sorted.length / 2)] ?? NaN), min: round(sorted[0] ?? NaN), max: round(sorted[sorted.length - 1] ?? NaN), runs: runs.map(round) };
}

/** "41,200 (39,800-42,100)": a spread as table text. */
export function spreadText(s: Spread, unit = ''): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${n(s.median)}${unit} (${n(s.min)}-${n(s.max)})`;
}
