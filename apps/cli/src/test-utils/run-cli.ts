import { runCli } from '../cli';
import type { Io } from '../command';

/** Runs the CLI in-process and captures what it prints. */
export async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
