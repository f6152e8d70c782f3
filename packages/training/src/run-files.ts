import * as path from 'path';
import { MetricRow, MetricRowSchema, readJsonLinesFile } from '@cvae/formats';
import { appendFileDurably, writeFileAtomic } from '@cvae/images';

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

/** Appends one JSON line and fsyncs; a crash can at worst leave a torn last line, which readMetrics drops. */
export async function appendJsonLine(filePath: string, value: unknown): Promise<void> {
  await appendFileDurably(filePath, `${JSON.stringify(value)}\n`);
}

/** The complete, validated rows of metrics.jsonl (a torn last line from a crash is skipped); [] if absent. */
export function readMetrics(filePath: string): Promise<MetricRow[]> {
  return readJsonLinesFile(MetricRowSchema, filePath);
}

/**
 * On resume, metrics of epochs after the checkpoint (written before a crash stopped the save) would be
 * appended a second time; keep only the epochs the checkpoint covers.
 */
export async function truncateMetrics(filePath: string, lastEpoch: number): Promise<MetricRow[]> {
  const kept = (await readMetrics(filePath)).filter((row) => row.epoch <= lastEpoch);
  await writeFileAtomic(filePath, kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
  return kept;
}
