// What every benchmark's process shares: the machine it reports with its figures, and the entry point of a load
// generator run as a child (plan as JSON in argv[2], report as one JSON line on stdout).
import { cpus, loadavg } from 'node:os';

const hundredths = (x: number): number => Math.round(x * 100) / 100;

/** The machine a result was measured on, with the load averages (1, 5, 15 min) at the end of the run. */
export function benchMachine(): { cpus: number; model: string | undefined; loadavgAtEnd: number[] } {
  return { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg().map(hundredths) };
}

/** Runs `generate` on the plan the parent passed, prints its report and exits: 0, or 1 saying what failed. */
export function runGenerator<Plan, Report>(name: string, generate: (plan: Plan) => Promise<Report>): void {
  generate(JSON.parse(process.argv[2] ?? '{}') as Plan).then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
