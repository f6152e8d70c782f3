/**
 * Sample quality: whether random samples look like the dataset's images and still cover all of its
 * classes, as a small classifier of that dataset (@cvae/classifier, trained with our stack, of the
 * model's input shape) sees them. For N seeded prior samples and for the reconstructions of the test
 * set: the Fréchet distance between Gaussians fitted to the classifier's penultimate features of that
 * set and of the test set (FID, on the classifier's features), the histogram of predicted classes
 * (the classifier's classes) with its entropy and smallest share, and the mean max-softmax
 * confidence; KID (kid.ts) and density/coverage with 5 nearest neighbours (prdc.ts) from the same
 * features. Everything runs on @cvae/replicas' threads; the prior draws come from one seeded stream
 * handed out chunk by chunk, so the numbers are the same for every thread count.
 */
import { Binarization, ImageSet, SeededRandom, deriveSeed } from '@cvae/dataset';
import { CLASSIFIER_TASKS, LoadedClassifier, SampleImages, ThreadedSource, assertClassifierFits, classifierSplit, classifyOnThreads } from '@cvae/classifier';
import type { CheckpointRef, ClassifierManifest, ImageSetQuality, SampleQuality, SampleQualityBounds, SetQualityBounds } from '@cvae/formats';
import type { CVAE } from '@cvae/model';
import { Replicas } from '@cvae/replicas';
import { GaussianFit, classCoverage, fitGaussian, frechetDistance } from './frechet';
import { kernelInceptionDistance } from './kid';
import { Neighbourhoods, PRDC_NEIGHBOURS, densityCoverage, neighbourhoods } from './prdc';

export const DEFAULT_QUALITY_SAMPLES = 10_000;
export const DEFAULT_QUALITY_SEED = 0;
/** The label of the prior draws' stream: SeededRandom(deriveSeed(seed, PRIOR_SAMPLES_LABEL)). */
export const PRIOR_SAMPLES_LABEL = 'sample-quality-prior';
/** Labels of the KID subset draws: SeededRandom(deriveSeed(seed, label)) per set. */
export const KID_LABELS = { samples: 'sample-quality-kid-samples', reconstructions: 'sample-quality-kid-reconstructions' } as const;
/** What the MNIST classifier is shown of a decoded image; see packages/evaluation/README.md ("Sample quality") for why. */
export const DEFAULT_SAMPLE_IMAGES: SampleImages = 'binarized';

/**
 * What a classifier is shown of a decoded image by default: what it was trained on — binarized for a
 * classifier of binarized data (DEFAULT_SAMPLE_IMAGES), the decoded mean as it is for one of 8-bit levels.
 */
export function sampleImagesFor(manifest: Pick<ClassifierManifest, 'binarization'>): SampleImages {
  return manifest.binarization === 'none' ? 'probabilities' : DEFAULT_SAMPLE_IMAGES;
}

export type SampleQualityPhase = 'test set' | 'prior samples' | 'reconstructions';

export interface SampleQualityOptions {
  /** Prior samples (default 10,000). */
  samples?: number;
  /** Seeds the prior draws (default 0). */
  seed?: number;
  /** Threads, this one included (default 1). */
  workers?: number;
  /** Threads to run on instead of starting `workers` (from qualityReplicas, or created with `tasks: CLASSIFIER_TASKS`). Kept open. */
  replicas?: Replicas;
  /**
   * The test images as the model sees them, which are reconstructed; the FID reference is the same
   * images as the classifier was trained to see them (default: the classifier's dataset's test split).
   */
  testSet?: ImageSet;
  /** Default: sampleImagesFor(the classifier's manifest). */
  sampleImages?: SampleImages;
  /** Recorded in the result. */
  checkpoint?: CheckpointRef;
  backend?: string;
  onProgress?: (phase: SampleQualityPhase, done: number, total: number) => void;
}

/**
 * Threads (this one and `threads − 1` replica workers of `model`) that can run both `evaluateModel`
 * and `sampleQuality`, so a caller doing both starts its workers once. Close them when done.
 */
export function qualityReplicas(model: CVAE, threads: number): Replicas {
  return Replicas.create(model, { threads, tasks: CLASSIFIER_TASKS, label: 'evaluation worker pool' });
}

/**
 * Sample quality of `model` as `loaded` (a classifier from loadClassifier) sees it. The classifier
 * must take the model's input shape (one line naming both shapes otherwise).
 */
export async function sampleQuality(model: CVAE, loaded: LoadedClassifier, options: SampleQualityOptions = {}): Promise<SampleQuality> {
  const { samples = DEFAULT_QUALITY_SAMPLES, seed = DEFAULT_QUALITY_SEED, workers = 1, sampleImages = sampleImagesFor(loaded.manifest), onProgress } = options;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`sampleQuality: samples must be an integer ≥ 2, got ${samples}`);
  assertClassifierFits(loaded.classifier, model.inputShape, 'the model', `classifier ${loaded.ref.path}`);
  const started = Date.now();
  const testSet = options.testSet ?? classifierTestSet(loaded);
  const referenceImages = asClassifierSees(testSet, loaded);
  const replicas = options.replicas ?? qualityReplicas(model, workers);
  const classify = async (phase: SampleQualityPhase, source: ThreadedSource) =>
    classifyOnThreads(replicas, { classifier: loaded.classifier, weightsKey: loaded.ref.weights }, source, { sampleImages, onProgress: (done, total) => onProgress?.(phase, done, total) });
  try {
    const dim = loaded.classifier.featureDim;
    const classes = loaded.classifier.architecture.classes;
    const timer = phaseTimer();
    const distances = phaseTimer();
    const reference = qualityReference((await classify('test set', { kind: 'images', images: referenceImages })).features, dim);
    let distancesMs = distances();
    const testSetMs = timer();
    const measureSet = (values: { features: Float32Array; probabilities: Float32Array }, label: string) => {
      const fit = setQuality(values, reference.fit, dim, classes);
      distances();
      const more = setDistances(values.features, reference, deriveSeed(seed, label));
      distancesMs += distances();
      return { ...fit, ...more };
    };
    const prior = measureSet(await classify('prior samples', { kind: 'prior', count: samples, random: new SeededRandom(deriveSeed(seed, PRIOR_SAMPLES_LABEL)) }), KID_LABELS.samples);
    const samplesMs = timer();
    const recon = measureSet(await classify('reconstructions', { kind: 'recon', images: testSet.images }), KID_LABELS.reconstructions);
    const reconstructionsMs = timer();
    return {
      formatVersion: 1,
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      classifier: loaded.ref,
      backend: options.backend ?? 'unknown',
      seed,
      sampleImages,
      testImages: testSet.count,
      samples: prior,
      reconstructions: recon,
      ...(reference.balls === null ? {} : { neighbours: reference.balls.k }),
      elapsedMs: Date.now() - started,
      phaseMs: { testSet: testSetMs, samples: samplesMs, reconstructions: reconstructionsMs, distances: distancesMs },
    };
  } finally {
    if (options.replicas === undefined) await replicas.close();
  }
}

/** Milliseconds since the previous call (the first: since creation). */
function phaseTimer(): () => number {
  let last = Date.now();
  return () => {
    const now = Date.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

/** FID against `reference` and class coverage of one set's classifier values. */
export function setQuality(values: { features: Float32Array; probabilities: Float32Array }, reference: GaussianFit, dim: number, classes: number): ImageSetQuality {
  const fit = fitGaussian(values.features, dim);
  return { images: fit.count, fid: frechetDistance(fit, reference), ...classCoverage(values.probabilities, classes) };
}

/** The test set's features as every set is compared with them: the fitted Gaussian, the rows, and their k-NN balls. */
export interface QualityReference {
  fit: GaussianFit;
  features: Float32Array;
  dim: number;
  /** Null when there are too few test images for k + 1 neighbours. */
  balls: Neighbourhoods | null;
}

export function qualityReference(features: Float32Array, dim: number): QualityReference {
  const balls = features.length / dim > PRDC_NEIGHBOURS ? neighbourhoods(features, dim, PRDC_NEIGHBOURS) : null;
  return { fit: fitGaussian(features, dim), features, dim, balls };
}

/**
 * KID (subsets drawn with `kidSeed`), precision, density and coverage of one set's features against the
 * reference's, from the same features FID used (no second pass through the classifier).
 */
export function setDistances(features: Float32Array, reference: QualityReference, kidSeed: number): Partial<ImageSetQuality> {
  const kid = kernelInceptionDistance(features, reference.features, reference.dim, { seed: kidSeed });
  const neighbours = reference.balls === null ? {} : densityCoverage(reference.balls, features);
  return { kid: kid.kid, kidStd: kid.kidStd, kidSubsets: kid.subsets, kidSubsetSize: kid.subsetSize, ...neighbours };
}

/** One line per bound `result` breaks, naming the set, the number, the class where it matters, and the bound. */
export function checkSampleQuality(result: Pick<SampleQuality, 'samples' | 'reconstructions'>, bounds: SampleQualityBounds): string[] {
  return [
    ...checkSet('prior samples', result.samples, bounds.samples ?? {}),
    ...checkSet('reconstructions', result.reconstructions, bounds.reconstructions ?? {}),
  ];
}

function checkSet(name: string, set: ImageSetQuality, bounds: SetQualityBounds): string[] {
  const violations: string[] = [];
  if (bounds.maxFid !== undefined && !(set.fid <= bounds.maxFid)) violations.push(`${name}: FID ${fmt(set.fid)} > ${bounds.maxFid}`);
  if (bounds.minClassShare !== undefined && !(set.minClassShare >= bounds.minClassShare)) {
    violations.push(`${name}: class ${set.minClass} has ${percent(set.minClassShare)} of ${set.images} images < ${percent(bounds.minClassShare)} (shares ${set.classShares.map(percent).join(' ')})`);
  }
  if (bounds.minEntropy !== undefined && !(set.entropy >= bounds.minEntropy)) violations.push(`${name}: class entropy ${fmt(set.entropy)} nats < ${bounds.minEntropy}`);
  if (bounds.minMeanConfidence !== undefined && !(set.meanConfidence >= bounds.minMeanConfidence)) {
    violations.push(`${name}: mean classifier confidence ${fmt(set.meanConfidence)} < ${bounds.minMeanConfidence}`);
  }
  const measured = (value: number | undefined) => (value === undefined ? 'not measured' : fmt(value));
  if (bounds.maxKid !== undefined && !(set.kid !== undefined && set.kid <= bounds.maxKid)) violations.push(`${name}: KID ${measured(set.kid)} > ${bounds.maxKid}`);
  if (bounds.minDensity !== undefined && !(set.density !== undefined && set.density >= bounds.minDensity)) violations.push(`${name}: density ${measured(set.density)} < ${bounds.minDensity}`);
  if (bounds.minCoverage !== undefined && !(set.coverage !== undefined && set.coverage >= bounds.minCoverage)) violations.push(`${name}: coverage ${measured(set.coverage)} < ${bounds.minCoverage}`);
  return violations;
}

/** The test split of the classifier's own dataset, checked against its recorded identity and preprocessed as in training. */
export function classifierTestSet(loaded: LoadedClassifier, limit?: number): ImageSet {
  return classifierSplit(loaded, 'test', limit);
}

/**
 * `set`'s images preprocessed as the classifier was trained: as they are when the preprocessing is the
 * same; 8-bit levels binarized at the classifier's threshold (exactly as @cvae/dataset does, on bytes);
 * binarized images cannot be shown to a classifier of levels, which is one line.
 */
export function asClassifierSees(set: ImageSet, loaded: LoadedClassifier): Float32Array {
  const wanted = loaded.manifest.binarization;
  if (set.binarization === wanted) return set.images;
  if (set.binarization === 'none' && wanted !== 'none') return binarizeLevels(set.images, wanted);
  throw new RangeError(`classifier ${loaded.ref.path} was trained on images ${describe(wanted)}, but the test images are ${describe(set.binarization)}`);
}

function binarizeLevels(levels: Float32Array, threshold: number): Float32Array {
  const byteThreshold = threshold * 255;
  return levels.map((value) => (Math.round(value * 255) > byteThreshold ? 1 : 0));
}

function describe(binarization: Binarization): string {
  return binarization === 'none' ? 'of 8-bit levels (binarization none)' : `binarized at ${binarization}`;
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
