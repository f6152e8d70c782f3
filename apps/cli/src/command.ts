import type { Command } from 'commander';

/** Where a command writes; injected so tests can run the CLI in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (progress bars); false in CI logs and tests. */
  isTTY: boolean;
}

/**
 * One `cvae` subcommand. cli.ts turns each into a commander Command, afresh for every runCli call
 * (defaults such as the reference checkpoint are read from the workspace then, not at import).
 */
export interface CliCommand<Options = unknown> {
  /** Words that select the command, e.g. ['data', 'info']; the first of two is a group. */
  path: string[];
  summary: string;
  /** Adds the options (shared ones from options.ts) and positional arguments. */
  define(command: Command): Command;
  /** Runs once commander has parsed every flag; returns the exit code. Method syntax keeps CliCommand<X> assignable to CliCommand. */
  run(options: Options, operands: string[], io: Io): Promise<number>;
}
