import type { Command, CommanderError } from 'commander';

/** A mistake in how the command was called (unknown command, bad flag or value): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Help was printed: the run ends here with exit code 0. */
export class HelpShown extends Error {
  override name = 'HelpShown';
}

/** Exit codes of the cvae command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const HELP_CODES = ['commander.help', 'commander.helpDisplayed', 'commander.version'];

/**
 * cvae's own wording for an error commander raised while parsing `command`'s arguments. The patterns
 * follow commander 14's messages (printing them is switched off); cli.spec.ts and the command specs
 * pin every case, so a rewording in a new commander release fails a test rather than leaking through.
 */
export function fromCommander(err: CommanderError, command: Command): Error {
  if (HELP_CODES.includes(err.code)) return new HelpShown(err.message);
  switch (err.code) {
    case 'commander.unknownOption':
      return new UsageError(`unknown flag ${/'(.*)'/.exec(err.message)?.[1]}`);
    case 'commander.unknownCommand':
    case 'commander.excessArguments':
      return unexpectedOperand(command);
    case 'commander.optionMissingArgument':
      return new UsageError(`${flagIn(err.message)} needs a value`);
    case 'commander.missingMandatoryOptionValue':
      return new UsageError(`${flagIn(err.message)} is required`);
    case 'commander.invalidArgument':
      return new UsageError(invalidValue(err.message));
    default:
      return new UsageError(err.message.replace(/^error: /, ''));
  }
}

/** The first operand nobody takes: an unknown subcommand of a group, else a stray argument. */
function unexpectedOperand(command: Command): UsageError {
  const operand = command.args[command.registeredArguments.length];
  if (command.commands.length === 0) return new UsageError(`unexpected argument '${operand}'`);
  if (!command.parent) return new UsageError(`unknown command '${operand}' (see cvae --help)`);
  const names = command.commands.map((c) => c.name()).join(', ');
  return new UsageError(`unknown command '${commandPath(command)} ${operand}' (try: ${names})`);
}

/** `option '--seed <S>' …` → `--seed`. */
function flagIn(message: string): string {
  return /'(--[\w-]+)/.exec(message)?.[1] ?? message;
}

/**
 * commander: "error: option '--steps <N>' argument '0' is invalid. <reason>", or for a value from the
 * environment "error: option '--backend <B>' value 'x' from env 'CVAE_BACKEND' is invalid. <reason>".
 * Our parsers' reasons do not name their source (options.ts), so the flag or variable goes in front.
 */
const INVALID_VALUE = /^error: option '(--[\w-]+)[^']*' (?:argument|value) '.*?'(?: from env '(\w+)')? is invalid\. (.*)$/s;

function invalidValue(message: string): string {
  const match = INVALID_VALUE.exec(message);
  if (!match) return message.replace(/^error: /, '');
  const [, flag, envVar, reason] = match;
  return `${envVar ?? flag} ${reason}`;
}

/** The words that select `command`, e.g. `golden check` (the program name left out). */
export function commandPath(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
