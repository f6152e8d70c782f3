import { runCli } from './cli';

/** Process entry point used by bin/cvae.js. */
export function main(argv: string[] = process.argv.slice(2)): void {
  const io = {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
  };
  runCli(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cvae: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
