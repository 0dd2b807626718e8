import { ApiClient } from '../http/api.client';
import { UsageError, type CliCommand, type Plan } from './cli-command';
import { parseCommandLine } from './command-line.parser';
import { COMMANDS } from './commands';
import { EXIT, describeFailure, exitCodeFor } from './exit-code';
import { overviewHelp, topicHelp, usageLines } from './help.text';

/** The process around the CLI, passed in so that specs can run it whole. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  now(): number;
}

/** Runs `fleetban ...argv`; resolves to the exit code (see EXIT). Never throws. */
export async function runCli(argv: string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  let invocation;
  let plan: Plan;
  try {
    invocation = parseCommandLine(argv, io.env, commands, io.now());
    if (invocation.kind === 'help') {
      io.stdout.write(invocation.topic === undefined ? overviewHelp(commands) : topicHelp(invocation.topic, commands));
      return EXIT.ok;
    }
    plan = planOf(invocation.command, invocation.input);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`fleetban: ${error.message}\n\n${usageLines(error.topic, commands)}`);
    return EXIT.usage;
  }
  const { command, connection, json } = invocation;
  try {
    const client = new ApiClient(connection.url, connection.token);
    const responses: unknown[] = [];
    for (const request of plan.requests) {
      if (request.list === undefined) {
        responses.push(await client.send(request));
        continue;
      }
      const { items, truncated } = await client.list(request, request.list);
      responses.push(items);
      if (truncated && !json) io.stderr.write(`fleetban: showing the first ${items.length}; pass --limit N to see more.\n`);
    }
    io.stdout.write(json ? `${JSON.stringify(plan.json ? plan.json(responses) : responses[0], null, 2)}\n` : plan.render(responses, { now: io.now() }));
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(`fleetban ${command.name}: ${describeFailure(error, plan.hints)}\n`);
    return exitCodeFor(error);
  }
}

function planOf(command: CliCommand, input: Parameters<CliCommand['plan']>[0]): Plan {
  try {
    return command.plan(input);
  } catch (error) {
    if (error instanceof UsageError && error.topic === undefined) throw new UsageError(error.message, command.name);
    throw error;
  }
}
