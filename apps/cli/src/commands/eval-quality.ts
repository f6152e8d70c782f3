/** `cvae eval`'s sample-quality block: its flags, the measurement, and its table. */
import { existsSync } from 'fs';
import { Option } from 'commander';
import { ClassifierError, LoadedClassifier, assertSameDataset, defaultClassifierDir, findClassifierOf, loadClassifier } from '@cvae/classifier';
import type { ImageSet } from '@cvae/dataset';
import { LoadedForEvaluation, SampleQualityPhase, qualityReplicas, sampleQuality } from '@cvae/evaluation';
import type { ImageSetQuality, SampleQuality } from '@cvae/formats';
import type { Io } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';
import { integer } from '../options';

export interface QualityFlags {
  qualitySamples?: number;
  /** Undefined: the classifier of the evaluated dataset, if one exists (classifierOfDataset). */
  classifier?: string;
}

export function qualitySamplesOption(): Option {
  const description = 'prior samples for the sample-quality block (FID, class coverage); 0 skips it (default: 10000, or --limit when given)';
  return new Option('--quality-samples <N>', description).argParser(integer(0, 1_000_000));
}

export function classifierOption(): Option {
  const description = `classifier the sample quality is measured with; it must have been made on the evaluated dataset (default: one that was: ${defaultClassifierDir()} for MNIST, else classifiers/<data-dir name>; with none, the sample quality is skipped)`;
  return new Option('--classifier <DIR>', description);
}

/**
 * How many prior samples to measure: the flag, else --limit (a quick eval stays quick), else 10,000.
 * A Gaussian needs two vectors: an implicit count below 2 skips the block, an explicit one is a usage error.
 */
export function qualitySampleCount(flags: QualityFlags, limit: number | undefined): number {
  const testImages = limit ?? 10_000;
  if (flags.qualitySamples === undefined) return testImages < 2 ? 0 : testImages;
  if (flags.qualitySamples > 0 && (flags.qualitySamples < 2 || testImages < 2)) {
    throw new UsageError('sample quality needs at least 2 prior samples and 2 test images (--quality-samples 0 skips it)');
  }
  return flags.qualitySamples;
}

/** Checked before any work starts, so a wrong path is a usage error. */
export function existingClassifier(dir: string): string {
  if (existsSync(dir)) return dir;
  throw new UsageError(`classifier directory ${dir} does not exist (train one with: npx cvae classifier train --out ${dir})`);
}

/**
 * The classifier of the evaluated dataset (`dataDir`, undefined: the embedded MNIST), loaded
 * hash-checked after the backend is chosen and before the metrics run, so a wrong one fails first,
 * not after the ELBO pass. `explicit` (--classifier) made on other data is a usage error; without it,
 * the defaults are tried — classifiers/<data-dir name> (where `cvae classifier train --data-dir`
 * puts one), then classifiers/mnist — and undefined means none was made on this dataset.
 */
export async function classifierOfDataset(explicit: string | undefined, dataDir: string | undefined, inputShape: readonly number[]): Promise<LoadedClassifier | undefined> {
  if (explicit !== undefined) {
    const loaded = await loadClassifier(explicit);
    const mismatch = datasetMismatch(loaded, dataDir);
    if (mismatch === undefined) return loaded;
    loaded.classifier.dispose();
    throw new UsageError(mismatch);
  }
  return findClassifierOf(dataDir, inputShape);
}

/** The line printed instead of the sample-quality block when no classifier of the dataset (at the model's shape) exists. */
export function qualitySkippedLine(dataDir: string | undefined, inputShape: readonly number[] = [28, 28, 1]): string {
  const shape = inputShape.join('x');
  const train = dataDir === undefined ? 'cvae classifier train' : `cvae classifier train --data-dir ${dataDir}${shape === '28x28x1' ? '' : ` --shape ${shape}`}`;
  return `sample quality: skipped — no classifier of this dataset (make one: ${train})`;
}

/** assertSameDataset's one line (`classifier <dir>: manifest.json was made on another dataset: …`), or undefined. */
function datasetMismatch(loaded: LoadedClassifier, dataDir: string | undefined): string | undefined {
  try {
    assertSameDataset(loaded, dataDir);
    return undefined;
  } catch (error) {
    if (error instanceof ClassifierError) return error.message;
    throw error;
  }
}

export interface QualityRun {
  loaded: LoadedForEvaluation;
  /** The threads the ELBO metrics ran on (qualityReplicas), reused here. */
  replicas: ReturnType<typeof qualityReplicas>;
  testSet: ImageSet;
  samples: number;
  seed: number;
}

/** Measures with an opened classifier; progress with ETA on stderr. */
export async function measureQuality(classifier: LoadedClassifier, run: QualityRun, io: Io): Promise<SampleQuality> {
  const { testSet, samples, seed, replicas } = run;
  const { model, checkpoint, backend } = run.loaded;
  return sampleQuality(model, classifier, { samples, seed, replicas, testSet, checkpoint, backend, onProgress: qualityProgress(io) });
}

export function qualityProgress(io: Io): (phase: SampleQualityPhase, done: number, total: number) => void {
  const started = new Map<SampleQualityPhase, number>();
  return (phase, done, total) => {
    if (!started.has(phase)) started.set(phase, Date.now());
    if (!io.isTTY && done !== total) return;
    const elapsed = Date.now() - (started.get(phase) ?? Date.now());
    const eta = done > 0 ? `${((elapsed / done) * (total - done) / 1000).toFixed(0)}s` : '?';
    const line = `sample quality, ${phase}: ${done}/${total} images (${Math.round((100 * done) / total)}%), ETA ${eta}`;
    io.stderr(io.isTTY ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

/** The block for people: one row per set, then each set's class shares. */
export function qualityTable(q: SampleQuality): string {
  const row = (name: string, s: ImageSetQuality) => [
    name, String(s.images), s.fid.toFixed(2), kidText(s), optional(s.precision), optional(s.density), optional(s.coverage),
    `${percent(s.minClassShare)} (${s.minClass})`, s.entropy.toFixed(3), s.meanConfidence.toFixed(3),
  ];
  const shares = (name: string, s: ImageSetQuality) => `${name}: ${s.classShares.map((share, digit) => `${digit}:${percent(share)}`).join(' ')}`;
  return [
    `sample quality (classifier ${q.classifier.path}; prior seed ${q.seed}; decoded images ${q.sampleImages}; FID against ${q.testImages} test images)`,
    `${seconds(q.elapsedMs)} s: test set ${seconds(q.phaseMs.testSet)} s, ${q.samples.images} prior samples ${seconds(q.phaseMs.samples)} s, reconstructions ${seconds(q.phaseMs.reconstructions)} s${q.phaseMs.distances === undefined ? '' : ` (KID and neighbours ${seconds(q.phaseMs.distances)} s of those)`}`,
    '',
    formatTable(['set', 'images', 'FID', 'KID ± SD', 'precision', 'density', 'coverage', 'smallest class', 'entropy (nats)', 'mean confidence'], [row('prior samples', q.samples), row('reconstructions', q.reconstructions)]),
    ...(q.samples.kid === undefined ? [] : [`KID: ${q.samples.kidSubsets} subsets of ${q.samples.kidSubsetSize}; precision, density, coverage: ${q.neighbours ?? '?'} nearest test images`]),
    '',
    shares('prior samples, predicted classes', q.samples),
    shares('reconstructions, predicted classes', q.reconstructions),
    '',
  ].join('\n');
}

/** KID ± its standard deviation over subsets, to 4 decimals (a good model's KID is of order 10⁻³). */
function kidText(s: ImageSetQuality): string {
  return s.kid === undefined ? '–' : `${s.kid.toFixed(4)} ± ${(s.kidStd ?? 0).toFixed(4)}`;
}

function optional(value: number | undefined): string {
  return value === undefined ? '–' : value.toFixed(3);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
