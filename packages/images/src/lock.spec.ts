import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LockHolder, LockedError, acquireLock, readLockHolder, withLock } from './lock';
import { currentProcessIdentity } from './process-identity';
import { childPidOf, exited, lockChild as child, lockChildArgs, procState, underNonReapingParent, untilOutput, untilZombie } from './test-utils/child-processes';

jest.setTimeout(60_000);

const untilLine = (process: ChildProcess, line: string) => untilOutput(process, new RegExp(line));

/** The one-line refusal naming a holder on this host and what to remove if it is gone. */
function refusal(file: string, pid: number, purpose: string): RegExp {
  const hint = `; if no such process is running \\(check: ps -p ${pid}\\), remove ${file}`;
  return new RegExp(`^${file} is locked by pid ${pid} on ${os.hostname()} \\(${purpose}, since [0-9T:.-]+Z\\)${hint}$`);
}

/** A lock file written by hand, as another process would have left it. */
function writeLockFile(file: string, holder: Partial<LockHolder> & { pid: number }): void {
  const base = { host: os.hostname(), purpose: 'by hand', since: new Date().toISOString(), nonce: 'hand' };
  writeFileSync(file, `${JSON.stringify({ ...base, ...holder })}\n`);
}

/** A live process that has nothing to do with any lock. */
async function unrelatedProcess(): Promise<ChildProcess & { pid: number }> {
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((resolve) => sleeper.on('spawn', resolve));
  return sleeper as ChildProcess & { pid: number };
}

/** Runs a child to its end ('close': all of stderr has arrived). */
function runToEnd(process: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  process.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => process.on('close', (code) => resolve({ code, stderr })));
}

/** Cleanup after a failed expectation: a holder that was never killed must not outlive the test. */
function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('lock files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cvae-lock-'));
  let n = 0;
  const lockFile = () => path.join(dir, `test-${++n}.lock`);

  it('a second writer fails at once with one line naming the live holder (another process)', async () => {
    const file = lockFile();
    const holder = child('hold', file);
    try {
      await untilLine(holder, 'locked');
      const error = await acquireLock(file, 'second').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      expect((error as Error).message).toMatch(refusal(file, holder.pid as number, 'lock test: hold'));
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });

  it('a lock whose process was killed (-9) is stale: the next writer takes it', async () => {
    const file = lockFile();
    const holder = child('hold', file);
    await untilLine(holder, 'locked');
    holder.kill('SIGKILL');
    await exited(holder);
    expect((await readLockHolder(file))?.pid).toBe(holder.pid);
    const lock = await acquireLock(file, 'after the crash');
    expect((await readLockHolder(file))?.pid).toBe(process.pid);
    await lock.release();
    expect(await readLockHolder(file)).toBeUndefined();
  });

  it('a live holder refuses a second writer process, whose one line says how to check and what to remove', async () => {
    const file = lockFile();
    const holder = child('hold', file);
    try {
      await untilLine(holder, 'locked');
      const recorded = { pid: holder.pid, startTime: expect.any(Number), bootId: currentProcessIdentity().bootId };
      expect(await readLockHolder(file)).toMatchObject(recorded);
      const second = await runToEnd(child('try', file));
      expect(second.code).toBe(1);
      expect(second.stderr.endsWith('\n')).toBe(true);
      expect(second.stderr.slice(0, -1)).toMatch(refusal(file, holder.pid as number, 'lock test: hold')); // one line
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });

  it('a holder killed (-9) whose parent does not reap it (a zombie) has ended: the next writer takes the lock at once', async () => {
    const file = lockFile();
    const parent = underNonReapingParent(process.execPath, lockChildArgs('hold-until-killed', file));
    const holderPid = await childPidOf(parent);
    try {
      await untilLine(parent, 'locked');
      process.kill(holderPid, 'SIGKILL');
      await untilZombie(holderPid);
      expect((await readLockHolder(file))?.pid).toBe(holderPid);
      const lock = await acquireLock(file, 'resume after the crash');
      expect(procState(holderPid)).toBe('Z'); // still unreaped: the lock was taken over a zombie
      expect((await readLockHolder(file))?.pid).toBe(process.pid);
      await lock.release();
    } finally {
      killIfRunning(holderPid);
      parent.kill('SIGKILL');
      await exited(parent);
    }
  });

  it('a lock whose pid now belongs to an unrelated process (another start time) is stale', async () => {
    const file = lockFile();
    const sleeper = await unrelatedProcess();
    try {
      // As if this process had taken the lock and died, and the pid had gone to `sleep` since.
      writeLockFile(file, { ...currentProcessIdentity(), pid: sleeper.pid });
      const lock = await acquireLock(file, 'after the pid was reused');
      expect((await readLockHolder(file))?.nonce).toBe(lock.holder.nonce);
      await lock.release();
    } finally {
      sleeper.kill('SIGKILL');
      await exited(sleeper);
    }
  });

  it('a lock taken in another boot is stale, even where its pid and start time match a live process', async () => {
    const file = lockFile();
    const holder = child('identity');
    try {
      const identity = JSON.parse((await untilOutput(holder, /^\{.*\}\n/))[0]) as LockHolder;
      writeLockFile(file, identity);
      await expect(acquireLock(file, 'same boot')).rejects.toThrow(LockedError);
      writeLockFile(file, { ...identity, bootId: 'a-boot-before-the-last-reboot' });
      await (await acquireLock(file, 'after a reboot')).release();
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });

  it('an older lock file (pid and host only) goes by its pid: a live pid holds it, a zombie does not', async () => {
    const file = lockFile();
    const sleeper = await unrelatedProcess();
    const parent = underNonReapingParent('sleep', ['60']);
    const zombiePid = await childPidOf(parent);
    try {
      writeLockFile(file, { pid: sleeper.pid });
      await expect(acquireLock(file, 'old lock, live pid')).rejects.toThrow(refusal(file, sleeper.pid, 'by hand'));
      process.kill(zombiePid, 'SIGKILL');
      await untilZombie(zombiePid);
      writeLockFile(file, { pid: zombiePid });
      await (await acquireLock(file, 'old lock, zombie pid')).release();
    } finally {
      killIfRunning(zombiePid);
      sleeper.kill('SIGKILL');
      parent.kill('SIGKILL');
      await Promise.all([exited(sleeper), exited(parent)]);
    }
  });

  it('a waiting writer gets the lock when the holder releases it', async () => {
    const file = lockFile();
    const holder = child('hold', file);
    const holderExit = exited(holder);
    await untilLine(holder, 'locked');
    setTimeout(() => holder.stdin?.end(), 300);
    const started = Date.now();
    await withLock(file, 'waiter', { waitMs: 20_000 }, async () => {
      expect((await readLockHolder(file))?.purpose).toBe('waiter');
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await holderExit).toBe(0);
  });

  it('four processes incrementing one counter 25 times each under the lock lose no update', async () => {
    const file = lockFile();
    const counter = path.join(dir, 'counter');
    writeFileSync(counter, '0');
    const workers = Array.from({ length: 4 }, () => child('count', file, counter, '25'));
    const codes = await Promise.all(workers.map(exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(readFileSync(counter, 'utf8')).toBe('100');
  });

  it('a release never removes a lock another writer holds now', async () => {
    const file = lockFile();
    const first = await acquireLock(file, 'first');
    writeFileSync(file, JSON.stringify({ ...first.holder, nonce: 'someone-else' })); // as if broken and retaken
    await first.release();
    expect((await readLockHolder(file))?.nonce).toBe('someone-else');
  });
});
