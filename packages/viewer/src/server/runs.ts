import { promises as fs } from 'fs';
import * as path from 'path';
import { CheckpointManifestSchema, FormatError, MetricRowSchema, RunInfoSchema, readJsonFileIfExists, readJsonLinesFile } from '@cvae/formats';
import type { RunSummary } from '../shared/api-types';

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
  const problems: string[] = [];
  // Every file is validated by its @cvae/formats schema; a malformed one is reported, not fatal.
  const read = async <T>(reader: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await reader();
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      problems.push(error.message.split(`${path.dirname(dir)}${path.sep}`).join(''));
      return fallback;
    }
  };
  const manifest = await read(() => readJsonFileIfExists(CheckpointManifestSchema, path.join(dir, 'checkpoints', 'last', 'manifest.json')), undefined);
  const metrics = await read(() => readJsonLinesFile(MetricRowSchema, path.join(dir, 'metrics.jsonl')), []);
  return {
    name,
    run: (await read(() => readJsonFileIfExists(RunInfoSchema, path.join(dir, 'run.json')), undefined)) ?? null,
    metrics: metrics.sort((a, b) => a.epoch - b.epoch),
    samples: await listSamples(path.join(dir, 'samples'), `${base}/samples`),
    progressGifUrl: await sampleFileUrl(dir, base, 'progress.gif'),
    latentScatterUrl: await sampleFileUrl(dir, base, 'latent-scatter.png'),
    decoderUrl: (await isFile(path.join(dir, decoderJson))) ? `${base}/checkpoints/last/decoder/model.json` : null,
    latentDim: manifest?.latentDim ?? null,
    problems,
  };
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

async function isFile(file: string): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => null);
  return stat?.isFile() ?? false;
}
