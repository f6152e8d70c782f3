import * as path from 'path';
import { appendFileDurably, readTextIfExists, writeFileAtomic } from '@cvae/model';

/** Layout of a run directory (`<out>/<name>/`). */
export function runPaths(runDir: string) {
  return {
    runDir,
    runJson: path.join(runDir, 'run.json'),
    metrics: path.join(runDir, 'metrics.jsonl'),
    samples: path.join(runDir, 'samples'),
    sample: (epoch: number) => path.join(runDir, 'samples', `epoch-${String(epoch).padStart(4, '0')}.png`),
    progressGif: path.join(runDir, 'samples', 'progress.gif'),
    latentScatter: path.join(runDir, 'samples', 'latent-scatter.png'),
    lastCheckpoint: path.join(runDir, 'checkpoints', 'last'),
    bestCheckpoint: path.join(runDir, 'checkpoints', 'best'),
  };
}
export type RunPaths = ReturnType<typeof runPaths>;

/** Appends one JSON line and fsyncs; a crash can at worst leave a torn last line, which readJsonLines drops. */
export async function appendJsonLine(filePath: string, value: unknown): Promise<void> {
  await appendFileDurably(filePath, `${JSON.stringify(value)}\n`);
}

/** The complete JSON lines of a metrics file (a torn last line from a crash is skipped); [] if absent. */
export async function readJsonLines<T>(filePath: string): Promise<T[]> {
  const text = (await readTextIfExists(filePath)) ?? '';
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
