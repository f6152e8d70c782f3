/**
 * Advisory lock files for writers that must not interleave (two trainings of one run, two processes
 * writing one goldens directory). A lock is a file created with O_EXCL holding who took it: pid, the
 * process's start time and the boot id (see process-identity.ts), host, what for, since when. A second
 * writer waits (up to `waitMs`) or fails with one line naming the holder and what to remove if it is gone.
 * On the same host a lock is stale, and broken by the next writer, once its holder has ended: no process
 * has its pid, or that process is a zombie (killed with -9 and not yet reaped by its parent), or it is
 * another process that got the pid later (another start time), or the lock was taken before a reboot
 * (another boot id). Locks without start time and boot id (older files) go by the pid alone. On another
 * host liveness cannot be checked: such a lock is never stale, and the message says what to remove.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import { currentProcessIdentity, isSameProcessAlive } from './process-identity';

export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (absent without /proc, and in older lock files). */
  startTime?: number;
  /** The boot the lock was taken in (absent without /proc, and in older lock files). */
  bootId?: string;
  host: string;
  /** What the holder is doing, e.g. "cvae train runs/x". */
  purpose: string;
  since: string;
  /** Distinguishes this acquisition from any other by the same process. */
  nonce: string;
}

export interface AcquireOptions {
  /** How long to wait for a live holder before failing (default 0: fail at once). */
  waitMs?: number;
  pollMs?: number;
}

export interface Lock {
  readonly file: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

/** Another live writer holds the lock. */
export class LockedError extends Error {
  override name = 'LockedError';
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(lockedMessage(file, holder));
  }
}

/** A guard file older than this belongs to a stale-lock breaker that died mid-break. */
const GUARD_STALE_MS = 10_000;
/** A lock file that is still empty or torn after this long was left by a writer that died while creating it. */
const TORN_LOCK_STALE_MS = 10_000;

export async function acquireLock(file: string, purpose: string, options: AcquireOptions = {}): Promise<Lock> {
  const { waitMs = 0, pollMs = 100 } = options;
  const holder: LockHolder = {
    ...currentProcessIdentity(),
    host: os.hostname(),
    purpose,
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryCreate(file, holder)) return { file, holder, release: () => releaseLock(file, holder) };
    const current = await readRaw(file);
    if (current === undefined) continue; // released meanwhile: try again at once
    if (await isStale(file, current)) {
      await breakStaleLock(file, current);
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(file, parseHolder(current));
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Runs `work` holding the lock, and releases it whatever happens. */
export async function withLock<T>(file: string, purpose: string, options: AcquireOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(file, purpose, options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** Who holds the lock now, if anyone. */
export async function readLockHolder(file: string): Promise<LockHolder | undefined> {
  const raw = await readRaw(file);
  return raw === undefined ? undefined : parseHolder(raw);
}

async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function isStale(file: string, raw: string): Promise<boolean> {
  const holder = parseHolder(raw);
  if (holder === undefined) {
    // Created but never written: stale only once its writer has had ample time to write it.
    const stat = await fs.stat(file).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > TORN_LOCK_STALE_MS;
  }
  return isLockHolderGone(holder);
}

/**
 * Whether a lock's holder has certainly ended (the stale-lock rule above, for every reader of a lock:
 * writers, and the viewer telling a live run from a dead one). On another host: never certain.
 */
export function isLockHolderGone(holder: LockHolder): boolean {
  return holder.host === os.hostname() && !isSameProcessAlive(holder);
}

/**
 * Removes `file` if it still holds exactly `staleRaw`. Breakers take a short-lived guard (O_EXCL), so
 * two of them cannot both remove "the stale lock" when one has meanwhile become a fresh lock.
 */
async function breakStaleLock(file: string, staleRaw: string): Promise<void> {
  const guard = `${file}.break`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stat = await fs.stat(guard).catch(() => undefined);
    if (stat !== undefined && Date.now() - stat.mtimeMs > GUARD_STALE_MS) await fs.rm(guard, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    if ((await readRaw(file)) === staleRaw) await fs.rm(file, { force: true });
  } finally {
    await handle.close();
    await fs.rm(guard, { force: true });
  }
}

/**
 * Removes the lock only if it is still ours (a stale-lock breaker may have replaced it). A lock that
 * cannot be removed (the directory became read-only) is left behind: once this process is gone it is
 * stale, and a release must not replace the error that is already on its way up.
 */
async function releaseLock(file: string, holder: LockHolder): Promise<void> {
  try {
    const current = await readRaw(file);
    if (current !== undefined && parseHolder(current)?.nonce === holder.nonce) await fs.rm(file, { force: true });
  } catch {
    // left for the stale-lock rule
  }
}

async function readRaw(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A start time or boot id of the wrong type is dropped: the pid alone then decides, as for an older lock file. */
function parseHolder(raw: string): LockHolder | undefined {
  let value: Partial<LockHolder> | null;
  try {
    value = JSON.parse(raw) as Partial<LockHolder> | null;
  } catch {
    return undefined;
  }
  if (typeof value?.pid !== 'number' || typeof value.host !== 'string') return undefined;
  const { startTime, bootId, ...rest } = value as LockHolder;
  return {
    ...rest,
    ...(typeof startTime === 'number' ? { startTime } : {}),
    ...(typeof bootId === 'string' ? { bootId } : {}),
  };
}

function lockedMessage(file: string, holder: LockHolder | undefined): string {
  if (holder === undefined) return `${file} is locked by a writer that is still starting (try again)`;
  const who = `pid ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since})`;
  const where = holder.host === os.hostname() ? '' : ` on ${holder.host}`;
  return `${file} is locked by ${who}; if no such process is running${where} (check: ps -p ${holder.pid}), remove ${file}`;
}
