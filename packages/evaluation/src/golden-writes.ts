/**
 * Writing goldens safely: one writer at a time per goldens directory (a lock file naming its holder,
 * shared by `cvae golden update`, the viewer's Accept and every other process), and a write order
 * after which a crash at any instant leaves each PNG consistent with its goldens.json entry:
 *
 *   1. the new PNG goes to `<name>.png.pending` (atomically);
 *   2. goldens.json gets the new entry, whose sha256 is the pending file's (atomically);
 *   3. `<name>.png.pending` is renamed over `<name>.png`.
 *
 * A crash after 1 leaves the old PNG and the old entry (the pending file is discarded later); after
 * 2 the next writer finds a pending file whose sha256 the index records and finishes step 3. Every
 * writer, and every reader that takes the lock, completes interrupted writes first.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { BASELINE_FILE, BaselineSchema, GoldenIndexSchema, GoldenRecord, readJsonFileIfExists, sha256Hex } from '@cvae/formats';
import { fsyncDirectory, withLock, writeFileAtomic, writeJsonAtomic } from '@cvae/images';

export const GOLDENS_INDEX_FILE = 'goldens.json';
export const GOLDENS_LOCK_FILE = '.lock';
const PENDING_SUFFIX = '.png.pending';
/** A baseline written by `cvae accept` in the same order: this file, then baseline.json, then the rename. */
export const BASELINE_PENDING_FILE = 'baseline.bin.pending';
/** How long a second writer waits for the first (an update renders every image, which takes seconds). */
const LOCK_WAIT_MS = 120_000;
/** Test hook: SIGKILL this process right after the named step of a golden write. */
export const KILL_AT_ENV = 'CVAE_TEST_KILL_GOLDEN_WRITE_AT';
type WriteStep = 'pending' | 'index' | 'rename';

/** Runs `work` holding the goldens directory's lock, after completing any write a crash interrupted. */
export async function withGoldensLock<T>(goldensDir: string, purpose: string, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(goldensDir, { recursive: true });
  return withLock(path.join(goldensDir, GOLDENS_LOCK_FILE), purpose, { waitMs: LOCK_WAIT_MS }, async () => {
    await recoverInterruptedWrites(goldensDir);
    return work();
  });
}

/**
 * For readers: runs `work` under the lock so it sees no write half-done; in a directory this process
 * cannot write (a read-only checkout), nobody can write either, so it reads without the lock.
 */
export async function whileNoGoldenWrite<T>(goldensDir: string, purpose: string, work: () => Promise<T>): Promise<T> {
  try {
    return await withGoldensLock(goldensDir, purpose, work);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return work();
    throw error;
  }
}

/** Writes one golden's PNG and its goldens.json entry in the crash-safe order above. Call inside withGoldensLock. */
export async function writeGoldenEntry(goldensDir: string, name: string, png: Uint8Array, record: GoldenRecord): Promise<void> {
  const pending = path.join(goldensDir, `${name}${PENDING_SUFFIX}`);
  await writeFileAtomic(pending, png);
  killIfAsked('pending');
  const index = await readIndex(goldensDir);
  index[name] = record;
  await writeJsonAtomic(path.join(goldensDir, GOLDENS_INDEX_FILE), sortKeys(index));
  killIfAsked('index');
  await fs.rename(pending, path.join(goldensDir, record.file));
  await fsyncDirectory(goldensDir);
  killIfAsked('rename');
}

/**
 * Finishes writes a crash cut short: a pending PNG whose sha256 goldens.json records is renamed in;
 * any other pending PNG (the crash came before the index was written) is removed; the same for a
 * pending baseline.bin and baseline.json. Returns the golden names it finished.
 */
export async function recoverInterruptedWrites(goldensDir: string): Promise<string[]> {
  const index = await readIndex(goldensDir);
  const finished: string[] = [];
  for (const file of (await fs.readdir(goldensDir)).filter((f) => f.endsWith(PENDING_SUFFIX))) {
    const name = file.slice(0, -PENDING_SUFFIX.length);
    const pending = path.join(goldensDir, file);
    const record = index[name];
    if (record !== undefined && sha256Hex(await fs.readFile(pending)) === record.sha256) {
      await fs.rename(pending, path.join(goldensDir, record.file));
      finished.push(name);
    } else {
      await fs.rm(pending, { force: true });
    }
  }
  const baselineFinished = await recoverInterruptedBaseline(goldensDir);
  if (finished.length > 0 || baselineFinished) await fsyncDirectory(goldensDir);
  return finished;
}

/** A pending baseline.bin that baseline.json vouches for (sha256) is renamed in; any other is removed. */
async function recoverInterruptedBaseline(dir: string): Promise<boolean> {
  const pending = path.join(dir, BASELINE_PENDING_FILE);
  const bytes = await fs.readFile(pending).catch(() => undefined);
  if (bytes === undefined) return false;
  const header = await readJsonFileIfExists(BaselineSchema, path.join(dir, BASELINE_FILE)).catch(() => undefined);
  if (header?.sha256 !== sha256Hex(bytes) || path.basename(header.file) !== header.file) {
    await fs.rm(pending, { force: true });
    return false;
  }
  await fs.rename(pending, path.join(dir, header.file));
  return true;
}

export interface GoldenIntegrity {
  name: string;
  status: 'ok' | 'stale' | 'missing-png' | 'unindexed';
  /** One line for people; empty when ok. */
  problem: string;
}

/** Each golden's PNG against its goldens.json entry: whether sha256, existence and index agree. */
export async function verifyGoldens(goldensDir: string): Promise<GoldenIntegrity[]> {
  const index = await readIndex(goldensDir);
  const pngs = (await fs.readdir(goldensDir)).filter((f) => f.endsWith('.png'));
  const names = [...new Set([...Object.keys(index), ...pngs.map((f) => f.slice(0, -'.png'.length))])].sort();
  return Promise.all(names.map((name) => integrityOf(goldensDir, name, index[name])));
}

async function integrityOf(goldensDir: string, name: string, record: GoldenRecord | undefined): Promise<GoldenIntegrity> {
  const file = path.join(goldensDir, record?.file ?? `${name}.png`);
  const bytes = await fs.readFile(file).catch(() => undefined);
  if (record === undefined) return { name, status: 'unindexed', problem: `${file} has no entry in ${GOLDENS_INDEX_FILE}` };
  if (bytes === undefined) return { name, status: 'missing-png', problem: `${GOLDENS_INDEX_FILE} lists ${name} but ${file} is missing` };
  const actual = sha256Hex(bytes);
  if (actual !== record.sha256) {
    return { name, status: 'stale', problem: `${file} has sha256 ${actual.slice(0, 12)}…, ${GOLDENS_INDEX_FILE} records ${record.sha256.slice(0, 12)}… (changed outside cvae, or an interrupted write)` };
  }
  return { name, status: 'ok', problem: '' };
}

export async function readIndex(goldensDir: string): Promise<Record<string, GoldenRecord>> {
  return (await readJsonFileIfExists(GoldenIndexSchema, path.join(goldensDir, GOLDENS_INDEX_FILE))) ?? {};
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function killIfAsked(step: WriteStep): void {
  if (process.env[KILL_AT_ENV] === step) process.kill(process.pid, 'SIGKILL');
}
