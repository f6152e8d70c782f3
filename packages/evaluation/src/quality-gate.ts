/**
 * A suite's sample-quality gate: the classifier suite.json names (path and weights sha256) judges
 * seeded prior samples and the reconstructions of the gate images, with FID against those same test
 * images; the hand-set bounds decide. No command rewrites the bounds, like the floors.
 */
import * as path from 'path';
import { LoadedClassifier, assertSameDataset, classifierDataOptions, findClassifierOf, loadClassifier } from '@cvae/classifier';
import { loadSplit } from '@cvae/dataset';
import { type QualityGateResult, type SampleQualityBounds, type SetQualityBounds, type Suite, type SuiteQuality, workspaceRoot } from '@cvae/formats';
import { type CVAE, binarizationFor } from '@cvae/model';
import type { EvaluationSource } from './load';
import { SampleQualityPhase, checkSampleQuality, sampleQuality } from './sample-quality';

export interface QualityGateOptions {
  workers?: number;
  onProgress?: (phase: SampleQualityPhase, done: number, total: number) => void;
}

/** Measures the suite's quality gate (null when suite.json has none). */
export async function measureQualityGate(model: CVAE, source: EvaluationSource, suite: Suite, options: QualityGateOptions = {}): Promise<QualityGateResult | null> {
  if (suite.quality === undefined) return null;
  const { bounds } = suite.quality;
  const result = await withSuiteClassifier(suite.quality, source, (classifier) => measure(model, source, classifier, suite.quality as SuiteQuality, suite.gates.images, options));
  const violations = checkSampleQuality(result, bounds);
  return { result, bounds, violations, passed: violations.length === 0 };
}

/** The classifier of a suite's quality gate, checked to be the one suite.json names and made on the suite's data. */
async function withSuiteClassifier<T>(quality: SuiteQuality, source: EvaluationSource, work: (classifier: LoadedClassifier) => Promise<T>): Promise<T> {
  const dir = path.resolve(workspaceRoot(), quality.classifier.path);
  const classifier = await loadClassifier(dir);
  try {
    if (classifier.ref.weights !== quality.classifier.weights) {
      throw new Error(`classifier ${quality.classifier.path}: weights.bin has sha256 ${classifier.ref.weights.slice(0, 12)}…, but suite.json's quality gate names ${quality.classifier.weights.slice(0, 12)}… (another classifier: re-measure the bounds and update suite.json)`);
    }
    assertSameDataset(classifier, source.dataDir);
    return await work(classifier);
  } finally {
    classifier.classifier.dispose();
  }
}

function measure(model: CVAE, source: EvaluationSource, classifier: LoadedClassifier, quality: SuiteQuality, gateImages: number, options: QualityGateOptions) {
  // The gate images of the classifier's dataset as the model sees them (reconstructed); sampleQuality shows them
  // to the classifier as it was trained for FID's reference (the same images for the seed's binarized MNIST).
  const testSet = loadSplit('test', { ...classifierDataOptions(classifier.manifest), binarization: binarizationFor(model.architecture), limit: gateImages });
  return sampleQuality(model, classifier, { samples: quality.samples, seed: quality.seed, workers: options.workers, testSet, checkpoint: source.checkpoint, backend: source.backend, onProgress: options.onProgress });
}

/**
 * What `cvae golden init` proposes when a classifier for the suite's dataset exists: the committed
 * classifier, and bounds loose enough for run-to-run noise and tight enough for a lost class —
 * FID × 1.4, every class ≥ 0.5% of the samples (or half the share of one already below it), entropy − 0.15 nats, confidence − 0.08.
 */
export async function proposeQualityGate(model: CVAE, source: EvaluationSource, gateImages: number, options: QualityGateOptions & { samples: number; seed: number; classifierDir?: string; announce?: (line: string) => void }): Promise<SuiteQuality | null> {
  const classifier = await classifierFor(model, source, options.classifierDir);
  if (classifier === undefined) return null;
  const draft: SuiteQuality = { classifier: { path: classifier.ref.path, weights: classifier.ref.weights }, samples: options.samples, seed: options.seed, bounds: {} };
  options.announce?.(`measuring sample quality (${options.samples} prior samples, classifier ${draft.classifier.path}) to propose its bounds`);
  const result = await measure(model, source, classifier, draft, gateImages, options).finally(() => classifier.classifier.dispose());
  const bounds: SampleQualityBounds = {
    note: `Proposed by cvae golden init from this checkpoint (samples FID ${result.samples.fid.toFixed(1)}, smallest class ${(100 * result.samples.minClassShare).toFixed(1)}% (${result.samples.minClass}); reconstructions FID ${result.reconstructions.fid.toFixed(1)}): review them.`,
    samples: proposedSetBounds(result.samples),
    reconstructions: proposedSetBounds(result.reconstructions),
  };
  return { ...draft, bounds };
}

/** `dir` when it was made on the suite's data, else the classifier of that data at the model's shape (findClassifierOf). */
async function classifierFor(model: CVAE, source: EvaluationSource, dir: string | undefined): Promise<LoadedClassifier | undefined> {
  if (dir === undefined) return findClassifierOf(source.dataDir, model.inputShape);
  const classifier = await loadClassifier(dir).catch(() => undefined);
  if (classifier === undefined) return undefined;
  try {
    assertSameDataset(classifier, source.dataDir);
    return classifier;
  } catch {
    classifier.classifier.dispose();
    return undefined; // a classifier of other data says nothing about these samples
  }
}

/** Every class at least this share of the samples: below it, a class the generator lost. */
export const LOST_CLASS_SHARE = 0.005;

/**
 * The bounds init proposes for one image set, which the measured checkpoint itself passes: FID × 1.4
 * (rounded up), entropy − 0.15 nats, confidence − 0.08 (floored at 0), and every class ≥ 0.5% — or, for
 * a checkpoint whose smallest class is already below that, half its share, so the suite starts green
 * and still catches the class vanishing.
 */
export function proposedSetBounds(set: { fid: number; entropy: number; meanConfidence: number; minClassShare: number }): SetQualityBounds {
  const down = (value: number, unit = 100) => Math.max(0, Math.floor(value * unit) / unit);
  const minClassShare = set.minClassShare >= LOST_CLASS_SHARE ? LOST_CLASS_SHARE : down(set.minClassShare / 2, 10_000);
  return { maxFid: Math.ceil(set.fid * 1.4), minClassShare, minEntropy: down(set.entropy - 0.15), minMeanConfidence: down(set.meanConfidence - 0.08) };
}
