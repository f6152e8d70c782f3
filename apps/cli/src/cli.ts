import { Command, CommanderError, Help, Option } from 'commander';
import { DatasetError } from '@cvae/dataset';
import { ArchitectureError } from '@cvae/model';
import { SuiteExistsError } from '@cvae/evaluation';
import type { CliCommand, Io } from './command';
import { COMMANDS } from './commands';
import { commandPath, EXIT, fromCommander, HelpShown, UsageError } from './errors';

/** Runs the CLI in-process and returns the exit code (main() turns it into the process exit code). */
export async function runCli(argv: string[], io: Io, commands: CliCommand[] = COMMANDS): Promise<number> {
  const exit = { code: EXIT.ok as number };
  try {
    await buildProgram(commands, io, exit).parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (err) {
    return err instanceof HelpShown ? EXIT.ok : reportError(err, io);
  }
}

/** The commander tree for one run: `cvae`, its groups (`data`, `golden`) and the leaf commands. */
function buildProgram(commands: CliCommand[], io: Io, exit: { code: number }): Command {
  const program = configure(new Command('cvae'), io)
    .description('cvae: train, evaluate and regression-test a convolutional variational autoencoder.')
    .usage('<command> [options]')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', '\nRun cvae <command> --help for its options.')
    // A bare `cvae` prints the overview, as a usage error (exit 2) since nothing was asked for.
    .action(() => {
      program.outputHelp();
      exit.code = EXIT.usage;
    });
  program.configureHelp({ ...HELP_STYLE, visibleCommands: leavesOf, subcommandTerm: leafTerm });
  for (const definition of commands) parentOf(program, definition.path, io).addCommand(leaf(definition, io, exit));
  return program;
}

/**
 * Settings every command needs, set on each one (addCommand copies nothing): output through `io`,
 * no suggestions or help after an error, and errors thrown, reworded, never printed by commander
 * nor turned into process.exit.
 */
function configure(command: Command, io: Io): Command {
  return command
    .helpOption('-h, --help', 'show this help')
    .configureHelp(HELP_STYLE)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    .showSuggestionAfterError(false)
    .allowExcessArguments(false)
    .exitOverride((err: CommanderError) => {
      throw fromCommander(err, command);
    });
}

/** Help shows `--data-dir DIR` rather than commander's `--data-dir <DIR>`. */
const HELP_STYLE: Partial<Help> = { optionTerm: (option: Option) => option.flags.replace(/[<>]/g, '') };

function parentOf(program: Command, path: string[], io: Io): Command {
  if (path.length === 1) return program;
  const name = path[0];
  return program.commands.find((c) => c.name() === name) ?? group(program, name, io);
}

/** A group such as `golden`: it only dispatches; called alone, it names its subcommands. */
function group(program: Command, name: string, io: Io): Command {
  const command = configure(new Command(name), io).action(() => {
    throw new UsageError(`'${name}' needs a subcommand: ${command.commands.map((c) => c.name()).join(', ')}`);
  });
  program.addCommand(command);
  return command;
}

function leaf(definition: CliCommand, io: Io, exit: { code: number }): Command {
  const command = configure(new Command(definition.path[definition.path.length - 1]), io).summary(definition.summary).description(definition.summary);
  definition.define(command).action(async () => {
    exit.code = await definition.run(command.opts(), command.args, io);
  });
  return command;
}

/** `cvae --help` lists every runnable command by its full words (`data info`, `golden check`), as before groups existed. */
function leavesOf(command: Command): Command[] {
  return command.commands.flatMap((c) => (c.commands.length > 0 ? leavesOf(c) : [c]));
}

function leafTerm(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [commandPath(command), ...args].join(' ');
}

/**
 * Exit 2: the command was called wrongly — a bad flag or value, a recorded dataset that is gone or
 * changed (pass --data-dir), a suite that already exists.
 */
function isUsageError(err: unknown): boolean {
  // Bad input data (a missing or undecodable file, another dataset than recorded) is bad input, as a bad flag is.
  return err instanceof UsageError || err instanceof DatasetError || err instanceof SuiteExistsError || err instanceof ArchitectureError;
}

/** One line on stderr, no stack trace (set CVAE_DEBUG=1 to see it); exit 2 for usage errors, else 1. */
function reportError(err: unknown, io: Io): number {
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`cvae: ${message.split('\n')[0]}\n`);
  if (process.env.CVAE_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return isUsageError(err) ? EXIT.usage : EXIT.failure;
}
