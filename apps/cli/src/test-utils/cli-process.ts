/**
 * The built `cvae` (bin/cvae.js) as a real process, for tests of what only a process shows: exit codes,
 * signals, kill -9, locks between processes, servers. Needs `npx nx run cli:build` (`nx test cli` runs it first).
 */
import { ChildProcess, spawn } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI_BIN = path.join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'cvae.js');
const CLI_BUILD = path.join(WORKSPACE_ROOT, 'apps', 'cli', 'dist', 'main.js');
/** Generous: the machine is shared, and a process that hangs must fail the test, not the jest timeout. */
const EVENT_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 30_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `cvae …` with its output collected as it arrives. */
export interface CvaeProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

const running = new Set<ChildProcess>();

/** Fails with instructions when the CLI was not built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_BUILD)) {
    throw new Error(`${path.relative(WORKSPACE_ROOT, CLI_BUILD)} is missing: these tests run the built CLI. Run \`npx nx run cli:build\` first (\`npx nx test cli\` does it).`);
  }
}

/** Kills every process a test left running (call in afterEach/afterAll). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** `env` adds to this process's environment; a variable set to undefined is removed. */
export function startCvae(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CvaeProcess {
  // No CVAE_DEBUG: the one-line error format is part of what is tested.
  const env: NodeJS.ProcessEnv = { ...process.env, CVAE_DEBUG: '' };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd ?? WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    // 'close', not 'exit': every byte of stdout/stderr has arrived by then.
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once stdout matches `pattern`; rejects if the process ends first or nothing matches in time. */
export function waitForStdout(run: CvaeProcess, pattern: RegExp, timeoutMs = EVENT_TIMEOUT_MS): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no stdout line matching ${pattern} within ${timeoutMs / 1000} s:\n${run.stdout()}`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(run.stdout());
      if (match) finish(undefined, match);
    };
    const onEnd = () => finish(new Error(`cvae ended before printing ${pattern}:\n${run.stdout()}\n${run.stderr()}`));
    function finish(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer);
      run.child.stdout?.off('data', check);
      run.child.off('close', onEnd);
      if (error) reject(error);
      else resolve(match as RegExpMatchArray);
    }
    run.child.stdout?.on('data', check);
    run.child.on('close', onEnd);
    check();
  });
}

/** The exit, or a failure naming the output if the process is still running after the timeout. */
export async function exitOf(run: CvaeProcess, timeoutMs = EXIT_TIMEOUT_MS): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cvae still running after ${timeoutMs / 1000} s:\n${run.stdout()}\n${run.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `cvae …` to its end. */
export async function runCvae(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const run = startCvae(args, options);
  const exit = await exitOf(run, options.timeoutMs);
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
