// Types of headlines.mjs (plain JavaScript, so that the bench runner needs no compiler).
export interface HeadlineRow {
  what: string;
  figure: string;
  goal?: string;
}

export interface BenchOutcome {
  command?: string;
  skipped?: string;
  exitCode?: number | null;
  loadAverage?: { start: number; end: number; min: number; max: number };
  /** When the bench started (ISO); a partial run keeps the other benches' rows with theirs. */
  ranAt?: string;
  result?: unknown;
}

export function headlineRows(name: string, outcome: BenchOutcome): HeadlineRow[];
export function headlineTable(benches: Record<string, BenchOutcome>): string;
