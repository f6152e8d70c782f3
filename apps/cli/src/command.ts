import type { OptionSpecs, ParsedOptions } from './args';

/** Where a command writes; injected so tests can run the CLI in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (progress bars); false in CI logs and tests. */
  isTTY: boolean;
}

export interface Command {
  /** Words that select the command, e.g. ['data', 'info']. */
  path: string[];
  summary: string;
  options: OptionSpecs;
  /** Accepts positional arguments (e.g. golden names). */
  positionals?: { name: string; description: string };
  run(options: ParsedOptions, positionals: string[], io: Io): Promise<number>;
}
