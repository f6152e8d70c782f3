import { promises as fs } from 'fs';
import * as path from 'path';
import type { MetricRow, RunSummary } from '../shared/api-types';

/** Run directory names that are also safe, unescaped URL segments. */
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SAMPLE_FILE = /^epoch-(\d+)\.png$/;

/** Every run in `runsDir`, sorted by name. A missing runs dir is simply an empty list. */
export async function listRuns(runsDir: string): Promise<RunSummary[]> {
  const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory() && RUN_NAME.test(e.name)).map((e) => e.name).sort();
  return Promise.all(names.map((name) => summarizeRun(path.join(runsDir, name), name)));
}

async function summarizeRun(dir: string, name: string): Promise<RunSummary> {
  const base = `/runs/${name}`;
  const decoderJson = path.join('checkpoints', 'last', 'decoder', 'model.json');
  const manifest = await readJsonOrNull(path.join(dir, 'checkpoints', 'last', 'manifest.json'));
  const latentDim = typeof manifest?.latentDim === 'number' ? manifest.latentDim : null;
  return {
    name,
    run: await readJsonOrNull(path.join(dir, 'run.json')),
    metrics: parseMetrics(await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8').catch(() => '')),
    samples: await listSamples(path.join(dir, 'samples'), `${base}/samples`),
    progressGifUrl: await sampleFileUrl(dir, base, 'progress.gif'),
    latentScatterUrl: await sampleFileUrl(dir, base, 'latent-scatter.png'),
    decoderUrl: (await isFile(path.join(dir, decoderJson))) ? `${base}/checkpoints/last/decoder/model.json` : null,
    latentDim,
  };
}

/** One JSON object per line; a torn last line (a run still writing) or junk line is skipped. */
export function parseMetrics(text: string): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as MetricRow;
      if (typeof row === 'object' && row !== null && typeof row.epoch === 'number') rows.push(row);
    } catch {
      // skip
    }
  }
  return rows.sort((a, b) => a.epoch - b.epoch);
}

async function listSamples(samplesDir: string, urlBase: string): Promise<RunSummary['samples']> {
  const files = await fs.readdir(samplesDir).catch(() => [] as string[]);
  return files
    .map((file) => ({ file, match: SAMPLE_FILE.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ epoch: Number(f.match[1]), url: `${urlBase}/${f.file}` }))
    .sort((a, b) => a.epoch - b.epoch);
}

/** URL of samples/<file> of a run, or null when the run has no such file. */
async function sampleFileUrl(runDir: string, runUrlBase: string, file: string): Promise<string | null> {
  return (await isFile(path.join(runDir, 'samples', file))) ? `${runUrlBase}/samples/${file}` : null;
}

export async function readJsonOrNull(file: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function isFile(file: string): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => null);
  return stat?.isFile() ?? false;
}
