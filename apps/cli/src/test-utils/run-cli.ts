import { runCli } from '../cli';
import type { Io } from '../command';

type Commands = Parameters<typeof runCli>[2];

/** A function that runs the CLI in-process (with only `commands`, when given) and captures what it prints. */
export function cliRunner(commands?: Commands) {
  return async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
    const code = await runCli(argv, io, commands);
    return { code, stdout, stderr };
  };
}

/** Runs the whole CLI in-process and captures what it prints. */
export const run = cliRunner();
