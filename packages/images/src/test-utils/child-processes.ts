/**
 * Real processes for the lock and process-identity tests: lock-child.ts under node (through tsx, as the
 * sources are TypeScript), and a parent that never reaps its child, so a killed child stays a zombie.
 */
import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';

const LOCK_CHILD = path.join(__dirname, 'lock-child.ts');

/** node's arguments that run lock-child.ts with `args`. */
export function lockChildArgs(...args: string[]): string[] {
  return ['--require', require.resolve('tsx/cjs'), LOCK_CHILD, ...args];
}

/** Each started process's stdout so far, collected from the start: a later wait must see earlier lines. */
const outputs = new WeakMap<ChildProcess, { text: string }>();

function collectingOutput(child: ChildProcess): ChildProcess {
  const output = { text: '' };
  child.stdout?.on('data', (d: Buffer) => void (output.text += d.toString()));
  outputs.set(child, output);
  return child;
}

export function lockChild(...args: string[]): ChildProcess {
  return lockChildRunBy(process.execPath, ...args);
}

/** lockChild run by `node`, another path to the node binary (a symlink gives the process another name). */
export function lockChildRunBy(node: string, ...args: string[]): ChildProcess {
  return collectingOutput(spawn(node, lockChildArgs(...args), { stdio: ['pipe', 'pipe', 'pipe'] }));
}

/**
 * Runs `command` under a parent that never reaps it: sh starts it in the background, prints "child PID",
 * then becomes `sleep`, which waits for nobody (node would reap: libuv waits for every child it spawns).
 * Killing the returned process (the parent) orphans the zombie to PID 1.
 */
export function underNonReapingParent(command: string, args: string[]): ChildProcess {
  const script = '"$@" & echo "child $!"; exec sleep 300';
  return collectingOutput(spawn('sh', ['-c', script, 'sh', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * The pid of the command underNonReapingParent started, once the parent has become `sleep`: until then sh
 * could still reap a child killed early, and there would be no zombie to test with.
 */
export async function childPidOf(parent: ChildProcess): Promise<number> {
  const pid = Number((await untilOutput(parent, /^child (\d+)$/m))[1]);
  await becameSleep(parent.pid as number);
  return pid;
}

/** Waits until process `pid` runs `sleep` (sh's `exec sleep` has happened). */
export async function becameSleep(pid: number): Promise<void> {
  const comm = () => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  while (comm() !== 'sleep') await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Resolves with the first match of `pattern` in everything the process has printed since it started. */
export function untilOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  const output = outputs.get(child);
  if (output === undefined) throw new Error('untilOutput needs a process started by lockChild or underNonReapingParent');
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output.text);
      if (match === null) return;
      child.stdout?.off('data', check);
      resolve(match);
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before printing ${pattern}:\n${output.text}`)));
    check();
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** The state letter in /proc/PID/stat (read here, not through process-identity.ts: the tests' own witness). */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Waits until `pid` is a zombie (SIGKILL is delivered asynchronously); fails naming the state it kept. */
export async function untilZombie(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (procState(pid) !== 'Z') {
    if (Date.now() > deadline) throw new Error(`pid ${pid} did not become a zombie (state ${procState(pid) ?? 'gone: reaped'})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
