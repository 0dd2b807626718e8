import { dispatch } from './cli/dispatcher';

// The agent's only entry point: `fleetban-agent <command>`. Commands live in ./cli, one file each.
dispatch(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, now: () => Date.now() }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fleetban-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
