import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LockedError, acquireLock, readLockHolder, withLock } from './lock';

jest.setTimeout(60_000);

const CHILD = path.join(__dirname, 'test-utils', 'lock-child.ts');

/** A real node process running the lock (through tsx, as the sources are TypeScript). */
function child(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

function untilLine(process: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    process.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(line)) resolve();
    });
    process.on('exit', (code) => reject(new Error(`child exited with ${code} before printing ${line}`)));
  });
}

function exited(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => process.on('exit', (code) => resolve(code)));
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
      expect((error as Error).message).toMatch(new RegExp(`^${file} is locked by pid ${holder.pid} on ${os.hostname()} \\(lock test: hold, since [0-9T:.-]+Z\\)$`));
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
