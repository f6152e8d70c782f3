import { promises as fs } from 'fs';
import * as path from 'path';
import {
  Architecture, CheckpointManifestSchema, FormatError, MetricRowSchema, RunInfoSchema, TEST_METRICS_FILE, TestMetricsHeaderSchema,
  TrainingProgressSchema, likelihoodOf, readJsonFileIfExists, readJsonLinesFile,
} from '@cvae/formats';
import { readLockHolder } from '@cvae/images';
import type { ImageModel, RunSummary } from '../shared/api-types';
import { RUN_LOCK_FILE, runLiveness } from './liveness';

/** Run directory names that are also safe, unescaped URL segments. */
export const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SAMPLE_FILE = /^epoch-(\d+)\.png$/;
export const PROGRESS_FILE = 'progress.json';

/** Every run in `runsDir`, sorted by name. A missing runs dir is simply an empty list. */
export async function listRuns(runsDir: string): Promise<RunSummary[]> {
  return Promise.all((await runNames(runsDir)).map((name) => summarizeRun(path.join(runsDir, name), name)));
}

export async function runNames(runsDir: string): Promise<string[]> {
  const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && RUN_NAME.test(e.name)).map((e) => e.name).sort();
}

/** Reads through a @cvae/formats schema; a malformed file becomes a one-line problem of the run, not a failure. */
function problemCollector(dir: string) {
  const problems: string[] = [];
  const read = async <T>(reader: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await reader();
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      problems.push(error.message.split(`${path.dirname(dir)}${path.sep}`).join(''));
      return fallback;
    }
  };
  return { problems, read };
}

async function summarizeRun(dir: string, name: string): Promise<RunSummary> {
  const base = `/runs/${name}`;
  const decoderJson = path.join('checkpoints', 'last', 'decoder', 'model.json');
  const { problems, read } = problemCollector(dir);
  const manifest = await read(() => readJsonFileIfExists(CheckpointManifestSchema, path.join(dir, 'checkpoints', 'last', 'manifest.json')), undefined);
  const metrics = await read(() => readJsonLinesFile(MetricRowSchema, path.join(dir, 'metrics.jsonl')), []);
  const run = (await read(() => readJsonFileIfExists(RunInfoSchema, path.join(dir, 'run.json')), undefined)) ?? null;
  const progress = (await read(() => readJsonFileIfExists(TrainingProgressSchema, path.join(dir, PROGRESS_FILE)), undefined)) ?? null;
  const testMetrics = await read(() => readJsonFileIfExists(TestMetricsHeaderSchema, path.join(dir, TEST_METRICS_FILE)), undefined);
  const lock = await readLockHolder(path.join(dir, RUN_LOCK_FILE)).catch(() => undefined);
  return {
    name,
    run,
    metrics: metrics.sort((a, b) => a.epoch - b.epoch),
    samples: await listSamples(path.join(dir, 'samples'), `${base}/samples`),
    progressGifUrl: await sampleFileUrl(dir, base, 'progress.gif'),
    latentScatterUrl: await sampleFileUrl(dir, base, 'latent-scatter.png'),
    decoderUrl: (await isFile(path.join(dir, decoderJson))) ? `${base}/checkpoints/last/decoder/model.json` : null,
    checkpointEpoch: manifest?.epoch ?? null,
    latentDim: manifest?.latentDim ?? run?.config.latentDim ?? null,
    imageModel: manifest ? imageModelOf(manifest.architecture) : null,
    progress,
    liveness: runLiveness(run, progress, lock),
    testMetrics: testMetrics ? { epoch: testMetrics.epoch, count: testMetrics.count } : null,
    problems,
  };
}

/** What the browser needs of an architecture to draw its decoder's output (a formatVersion-1 manifest records the seed's). */
export function imageModelOf(architecture: Architecture): ImageModel {
  return { inputShape: architecture.inputShape, likelihood: likelihoodOf(architecture).kind };
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
