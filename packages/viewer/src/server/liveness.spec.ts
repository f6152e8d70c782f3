/**
 * The viewer calls a run live by the rule that lets the next trainer break its lock (issue 23): a trainer
 * killed with -9 whose zombie lingers, or whose pid now belongs to another process, is stopped.
 */
import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import * as os from 'os';
import type { RunInfo } from '@cvae/formats';
import { currentProcessIdentity, type LockHolder } from '@cvae/images';
import { runLiveness } from './liveness';

const RUNNING = { status: 'running' } as RunInfo; // runLiveness reads only the status

function lockOf(identity: Partial<LockHolder> & { pid: number }): LockHolder {
  return { host: os.hostname(), purpose: 'cvae train runs/x', since: '2026-01-01T00:00:00Z', nonce: 'n', ...identity };
}

function started(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('spawn', () => resolve(child.pid as number)));
}

function stopped(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
}

function procComm(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

function procState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

describe('runLiveness', () => {
  it('a running trainer (this process, as its lock records it) is live; on another host it cannot be ruled out', () => {
    expect(runLiveness(RUNNING, null, lockOf(currentProcessIdentity())).state).toBe('live');
    expect(runLiveness(RUNNING, null, lockOf({ pid: 999_999_999, host: `not-${os.hostname()}` })).state).toBe('live');
  });

  it('a lock whose pid now belongs to another process (another start time), or from another boot, means stopped', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = await started(sleeper);
      expect(runLiveness(RUNNING, null, lockOf({ ...currentProcessIdentity(), pid }))).toEqual({ state: 'stopped', reason: `the training process (pid ${pid}) is gone` });
      expect(runLiveness(RUNNING, null, lockOf({ ...currentProcessIdentity(), bootId: 'another-boot' })).state).toBe('stopped');
    } finally {
      await stopped(sleeper);
    }
  });

  it('a trainer killed with -9 whose parent has not reaped it (a zombie) means stopped', async () => {
    // sh starts a child, prints its pid and becomes sleep, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      // Until sh has become sleep it could still reap a child killed now, leaving no zombie to test with.
      while (procComm(parent.pid as number) !== 'sleep') await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(pid, 'SIGKILL');
      while (procState(pid) !== 'Z') await new Promise((resolve) => setTimeout(resolve, 20));
      expect(runLiveness(RUNNING, null, lockOf({ pid })).state).toBe('stopped');
    } finally {
      await stopped(parent);
    }
  });
});
