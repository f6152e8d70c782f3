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

/**
 * Every run in `runsDir`, sorted by name. A missing runs dir is simply an empty list. Files are parsed once per
 * version (`files`: by inode, size and mtime), so a page refetching 1,000 runs costs a stat per file, not a parse.
 */
export async function listRuns(runsDir: string, files: ParsedFiles = new ParsedFiles()): Promise<RunSummary[]> {
  const runs = await Promise.all((await runNames(runsDir)).map((name) => summarizeRun(path.join(runsDir, name), name, files)));
  files.forgetUnused();
  return runs;
}

export async function runNames(runsDir: string): Promise<string[]> {
  const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && RUN_NAME.test(e.name)).map((e) => e.name).sort();
}

/** Parsed files by path, reused while the file stays the same: same inode (atomic writes rename), size and mtime. */
export class ParsedFiles {
  private readonly entries = new Map<string, { version: string; value: unknown } | { version: string; error: FormatError }>();
  private readonly used = new Set<string>();

  /** `parse(file)`'s value (or FormatError) for the file's current version; undefined when there is no such file. */
  async read<T>(file: string, parse: (file: string) => Promise<T>): Promise<T | undefined> {
    const stat = await fs.stat(file).catch(() => null);
    if (stat === null || !stat.isFile()) return undefined;
    this.used.add(file);
    const version = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    let entry = this.entries.get(file);
    if (entry?.version !== version) {
      // Stat first, then read: what is cached is at least as new as its version, so a change is never missed.
      entry = await parse(file).then(
        (value) => ({ version, value }),
        (error: unknown) => {
          if (!(error instanceof FormatError)) throw error;
          return { version, error };
        },
      );
      this.entries.set(file, entry);
    }
    if ('error' in entry) throw entry.error;
    return entry.value as T;
  }

  /** Drops the files no read asked for since the last call (deleted runs), so the cache cannot grow without bound. */
  forgetUnused(): void {
    for (const file of this.entries.keys()) if (!this.used.has(file)) this.entries.delete(file);
    this.used.clear();
  }
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

const readMetricRows = async (file: string) => (await readJsonLinesFile(MetricRowSchema, file)).sort((a, b) => a.epoch - b.epoch);

/**
 * One run's summary. The run directory is listed once and only files that exist are opened: with 1,000 runs,
 * failed opens of absent files (progress.json, a lock, checkpoints) were most of /api/runs' time.
 */
async function summarizeRun(dir: string, name: string, files: ParsedFiles): Promise<RunSummary> {
  const base = `/runs/${name}`;
  const present = new Set(await fs.readdir(dir).catch(() => [] as string[]));
  const ifPresent = <T>(file: string, parse: (file: string) => Promise<T>) => (present.has(file.split('/')[0]) ? files.read(path.join(dir, file), parse) : Promise.resolve(undefined));
  const { problems, read } = problemCollector(dir);
  const manifest = await read(() => ifPresent('checkpoints/last/manifest.json', (f) => readJsonFileIfExists(CheckpointManifestSchema, f)), undefined);
  const metrics = (await read(() => ifPresent('metrics.jsonl', readMetricRows), undefined)) ?? [];
  const run = (await read(() => ifPresent('run.json', (f) => readJsonFileIfExists(RunInfoSchema, f)), undefined)) ?? null;
  const progress = (await read(() => ifPresent(PROGRESS_FILE, (f) => readJsonFileIfExists(TrainingProgressSchema, f)), undefined)) ?? null;
  const testMetrics = await read(() => ifPresent(TEST_METRICS_FILE, (f) => readJsonFileIfExists(TestMetricsHeaderSchema, f)), undefined);
  // The lock is read afresh: its holder's liveness is the one thing that changes without a file changing.
  const lock = present.has(RUN_LOCK_FILE) ? await readLockHolder(path.join(dir, RUN_LOCK_FILE)).catch(() => undefined) : undefined;
  const samples = present.has('samples') ? await sampleFiles(path.join(dir, 'samples')) : new Set<string>();
  const sampleUrl = (file: string) => (samples.has(file) ? `${base}/samples/${file}` : null);
  return {
    name,
    run,
    metrics,
    samples: epochSamples(samples, `${base}/samples`),
    progressGifUrl: sampleUrl('progress.gif'),
    latentScatterUrl: sampleUrl('latent-scatter.png'),
    decoderUrl: present.has('checkpoints') && (await isFile(path.join(dir, DECODER_JSON))) ? `${base}/${DECODER_JSON}` : null,
    checkpointEpoch: manifest?.epoch ?? null,
    latentDim: manifest?.latentDim ?? run?.config.latentDim ?? null,
    imageModel: manifest ? imageModelOf(manifest.architecture) : null,
    progress,
    liveness: runLiveness(run, progress, lock),
    testMetrics: testMetrics ? { epoch: testMetrics.epoch, count: testMetrics.count } : null,
    problems,
  };
}

const DECODER_JSON = 'checkpoints/last/decoder/model.json';

/** What the browser needs of an architecture to draw its decoder's output (a formatVersion-1 manifest records the seed's). */
export function imageModelOf(architecture: Architecture): ImageModel {
  return { inputShape: architecture.inputShape, likelihood: likelihoodOf(architecture).kind };
}

/** The files of samples/ (one readdir instead of a stat per file; a symlink counts, as the file routes follow it). */
async function sampleFiles(samplesDir: string): Promise<Set<string>> {
  const entries = await fs.readdir(samplesDir, { withFileTypes: true }).catch(() => []);
  return new Set(entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name));
}

function epochSamples(files: Set<string>, urlBase: string): RunSummary['samples'] {
  return [...files]
    .map((file) => ({ file, match: SAMPLE_FILE.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ epoch: Number(f.match[1]), url: `${urlBase}/${f.file}` }))
    .sort((a, b) => a.epoch - b.epoch);
}

async function isFile(file: string): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => null);
  return stat?.isFile() ?? false;
}
