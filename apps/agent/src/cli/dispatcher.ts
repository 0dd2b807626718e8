import { EXIT_USAGE, UsageError, type CommandIo } from './agent-command';
import { COMMANDS } from './commands';

function help(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((n) => n.length));
  const lines = [...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: fleetban-agent <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`fleetban-agent <command> --help\` for a command's options.\n`;
}

/** Runs `fleetban-agent <command> ...args`; resolves to the exit code (2 for an unknown command or a bad flag). */
export async function dispatch(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(help());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.get(name);
  if (command === undefined) {
    io.stderr.write(`fleetban-agent: unknown command '${name}'\n\n${help()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`fleetban-agent ${name}: ${err.message}\n\n${command.usage}\n`);
    return EXIT_USAGE;
  }
}
