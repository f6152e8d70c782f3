import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

/** Layout of a run directory (`<out>/<name>/`). */
export function runPaths(runDir: string) {
  return {
    runDir,
    runJson: path.join(runDir, 'run.json'),
    metrics: path.join(runDir, 'metrics.jsonl'),
    samples: path.join(runDir, 'samples'),
    sample: (epoch: number) => path.join(runDir, 'samples', `epoch-${String(epoch).padStart(4, '0')}.png`),
    progressGif: path.join(runDir, 'samples', 'progress.gif'),
    lastCheckpoint: path.join(runDir, 'checkpoints', 'last'),
    bestCheckpoint: path.join(runDir, 'checkpoints', 'best'),
  };
}
export type RunPaths = ReturnType<typeof runPaths>;

/** Writes to a sibling temp file, fsyncs, then renames: readers see the old or the new file, never a torn one. */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, filePath);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(filePath: string, value: unknown): Promise<void> {
  await writeFileAtomic(filePath, `${JSON.stringify(value, null, 2)}\n`);
}

/** Appends one JSON line and fsyncs; a crash can at worst leave a torn last line, which readMetrics drops. */
export async function appendJsonLine(filePath: string, value: unknown): Promise<void> {
  const handle = await fs.open(filePath, 'a');
  try {
    await handle.appendFile(`${JSON.stringify(value)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The complete JSON lines of a metrics file (a torn last line from a crash is skipped); [] if absent. */
export async function readJsonLines<T>(filePath: string): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // A line cut short by kill -9 mid-append; everything before it is intact.
    }
  }
  return rows;
}

/**
 * On resume, metrics of epochs after the checkpoint (written before a crash stopped the save) would be
 * appended a second time; keep only the epochs the checkpoint covers.
 */
export async function truncateMetrics<T extends { epoch: number }>(filePath: string, lastEpoch: number): Promise<T[]> {
  const kept = (await readJsonLines<T>(filePath)).filter((row) => row.epoch <= lastEpoch);
  await writeFileAtomic(filePath, kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
  return kept;
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
