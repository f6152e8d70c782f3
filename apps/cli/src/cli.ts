import { parseOptions } from './args';
import type { Command, Io } from './command';
import { COMMANDS } from './commands';
import { EXIT, UsageError } from './errors';
import { commandHelp, globalHelp } from './help';

/** Runs the CLI in-process and returns the exit code (main() turns it into the process exit code). */
export async function runCli(argv: string[], io: Io, commands: Command[] = COMMANDS): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout(globalHelp(commands));
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    const { command, rest } = selectCommand(argv, commands);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const parsed = parseOptions(rest, command.options, command.positionals ? 'any' : 'none');
    return await command.run(parsed.options, parsed.positionals, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function selectCommand(argv: string[], commands: Command[]): { command: Command; rest: string[] } {
  const matches = commands.filter((c) => c.path.every((word, i) => argv[i] === word));
  const best = matches.sort((a, b) => b.path.length - a.path.length)[0];
  if (best) return { command: best, rest: argv.slice(best.path.length) };
  const group = commands.filter((c) => c.path[0] === argv[0]);
  if (group.length > 0) {
    const subcommands = group.map((c) => c.path.slice(1).join(' ')).join(', ');
    throw new UsageError(
      argv[1] === undefined ? `'${argv[0]}' needs a subcommand: ${subcommands}` : `unknown command '${argv[0]} ${argv[1]}' (try: ${subcommands})`,
    );
  }
  throw new UsageError(`unknown command '${argv[0]}' (see cvae --help)`);
}

/** One line on stderr, no stack trace (set CVAE_DEBUG=1 to see it); exit 2 for usage errors, else 1. */
function reportError(err: unknown, io: Io): number {
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`cvae: ${message.split('\n')[0]}\n`);
  if (process.env.CVAE_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return err instanceof UsageError ? EXIT.usage : EXIT.failure;
}
