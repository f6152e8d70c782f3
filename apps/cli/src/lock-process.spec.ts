/**
 * The run lock after a crash, as real processes (issue 23): `cvae train` killed with -9 is a zombie
 * until its parent reaps it — for ever in a container whose PID 1 never reaps orphans — and a zombie
 * must not hold the run. Needs the built CLI (`nx test cli` builds it first).
 */
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { WORKSPACE_ROOT, assertCliBuilt, runCvae } from './test-utils/cli-process';

const CLI_BIN = path.join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'cvae.js');
/** 20 steps per epoch, and 200 test images so evaluation is quick. */
const TINY_RUN = ['--limit', '640', '--batch-size', '32', '--epochs', '2', '--test-limit', '200', '--backend', 'wasm', '--seed', '1', '--workers', '1'];
const EVENT_TIMEOUT_MS = 30_000;

jest.setTimeout(120_000);

/**
 * `cvae …` under a parent that never reaps it: sh starts it in the background, prints "child PID" and
 * becomes `sleep`, which waits for nobody. Returns the parent and everything printed so far.
 */
function cvaeUnderNonReapingParent(args: string[]): { parent: ChildProcess; output: () => string } {
  const script = '"$@" & echo "child $!"; exec sleep 300';
  const parent = spawn('sh', ['-c', script, 'sh', process.execPath, CLI_BIN, ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, CVAE_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  parent.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  parent.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  return { parent, output: () => output };
}

async function until<T>(what: string, probe: () => T | undefined, output: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The state letter of /proc/PID/stat (Z: a zombie), or undefined once the pid is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

function killIfRunning(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('the run lock after a crash', () => {
  let out: string;
  beforeAll(() => {
    assertCliBuilt();
    out = mkdtempSync(path.join(tmpdir(), 'cvae-lock-process-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('`cvae train` killed with -9 whose zombie lingers (unreaped): `cvae train --resume` at once is not refused', async () => {
    const runDir = path.join(out, 'crashed');
    const { parent, output } = cvaeUnderNonReapingParent(['train', ...TINY_RUN, '--out', out, '--name', 'crashed']);
    let trainerPid: number | undefined;
    try {
      const pid = await until('the trainer pid', () => /^child (\d+)$/m.exec(output())?.[1], output).then(Number);
      trainerPid = pid;
      await until('the first progress line', () => /^epoch 1 /m.exec(output()) ?? undefined, output);
      process.kill(pid, 'SIGKILL');
      await until(`pid ${pid} to be a zombie`, () => (procState(pid) === 'Z' ? true : undefined));

      const resumed = await runCvae(['train', '--resume', runDir, '--out', out, '--workers', '1'], { timeoutMs: 90_000 });
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/resuming at epoch \d+ batch \d+/);
      expect(procState(pid)).toBe('Z'); // the resume took the run over a zombie, not after a reap
    } finally {
      killIfRunning(trainerPid);
      parent.kill('SIGKILL');
    }
  });
});
