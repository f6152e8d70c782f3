import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

/**
 * Writes to a temp file beside `filePath`, fsyncs it, then renames it over `filePath`: a reader (the
 * viewer, a resuming run, a concurrent check) sees the old file or the new one, never a torn one, and
 * after a crash the new file's data is on disk. On failure the temp file is removed and the old file
 * is left as it was.
 */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeAndSync(temp, bytes, 'w');
    await fs.rename(temp, filePath);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Appends and fsyncs: for logs whose complete lines must survive a crash (at worst the last line is torn). */
export async function appendFileDurably(filePath: string, text: string): Promise<void> {
  await writeAndSync(filePath, text, 'a');
}

/** Pretty-printed JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(filePath: string, value: unknown): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(value, null, 2)}\n`);
}

/** The file's text, or undefined if it does not exist; other read errors are thrown. */
export async function readTextIfExists(filePath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The parsed JSON document, or undefined if the file does not exist; invalid JSON names the file. */
export async function readJsonIfExists<T>(filePath: string): Promise<T | undefined> {
  const text = await readTextIfExists(filePath);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${filePath} is not valid JSON (${(error as Error).message})`);
  }
}

/** Whether anything (file or directory) exists at `filePath`; an unreadable path counts as absent. */
export async function pathExists(filePath: string): Promise<boolean> {
  try {
    await fs.stat(filePath);
    return true;
  } catch {
    return false;
  }
}

/** Persists directory entries (new files, renames). Not supported on Windows, where it is skipped. */
export async function fsyncDirectory(dirPath: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dirPath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes ('w') or appends ('a'), then fsyncs before closing: the data is on disk when this resolves. */
async function writeAndSync(filePath: string, bytes: Uint8Array | string, flag: 'w' | 'a'): Promise<void> {
  const handle = await fs.open(filePath, flag);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
