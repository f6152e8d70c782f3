/** `cvae eval`'s sample-quality block: its flags, the measurement, and its table. */
import { existsSync } from 'fs';
import { Option } from 'commander';
import { LoadedClassifier, assertSameDataset, defaultClassifierDir, loadClassifier } from '@cvae/classifier';
import type { ImageSet } from '@cvae/dataset';
import { LoadedForEvaluation, SampleQualityPhase, qualityReplicas, sampleQuality } from '@cvae/evaluation';
import type { ImageSetQuality, SampleQuality } from '@cvae/formats';
import type { Io } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';
import { integer } from '../options';

export interface QualityFlags {
  qualitySamples?: number;
  classifier: string;
}

export function qualitySamplesOption(): Option {
  const description = 'prior samples for the sample-quality block (FID, class coverage); 0 skips it (default: 10000, or --limit when given)';
  return new Option('--quality-samples <N>', description).argParser(integer(0, 1_000_000));
}

export function classifierOption(): Option {
  const classifier = defaultClassifierDir();
  return new Option('--classifier <DIR>', 'classifier the sample quality is measured with').default(classifier, `the committed MNIST classifier, ${classifier}`);
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
 * Loads the classifier (hash-checked; after the backend is chosen) before the metrics run, so a
 * classifier made on other data than the evaluated dataset (`dataDir`, undefined: the embedded MNIST)
 * fails first, not after the ELBO pass.
 */
export async function openClassifier(dir: string, dataDir: string | undefined): Promise<LoadedClassifier> {
  const loaded = await loadClassifier(dir);
  try {
    assertSameDataset(loaded, dataDir);
  } catch (error) {
    loaded.classifier.dispose();
    throw error;
  }
  return loaded;
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
  const row = (name: string, s: ImageSetQuality) => [name, String(s.images), s.fid.toFixed(2), `${percent(s.minClassShare)} (${s.minClass})`, s.entropy.toFixed(3), s.meanConfidence.toFixed(3)];
  const shares = (name: string, s: ImageSetQuality) => `${name}: ${s.classShares.map((share, digit) => `${digit}:${percent(share)}`).join(' ')}`;
  return [
    `sample quality (classifier ${q.classifier.path}; prior seed ${q.seed}; decoded images ${q.sampleImages}; FID against ${q.testImages} test images)`,
    `${seconds(q.elapsedMs)} s: test set ${seconds(q.phaseMs.testSet)} s, ${q.samples.images} prior samples ${seconds(q.phaseMs.samples)} s, reconstructions ${seconds(q.phaseMs.reconstructions)} s`,
    '',
    formatTable(['set', 'images', 'FID', 'smallest class', 'entropy (nats)', 'mean confidence'], [row('prior samples', q.samples), row('reconstructions', q.reconstructions)]),
    '',
    shares('prior samples, predicted classes', q.samples),
    shares('reconstructions, predicted classes', q.reconstructions),
    '',
  ].join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
