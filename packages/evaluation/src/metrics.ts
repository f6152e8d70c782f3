import type { ImageSet } from '@cvae/dataset';
import { Estimate, estimate } from '@cvae/formats';
import type { CVAE } from '@cvae/model';
import { Replicas, perImageIwae, perImageMetrics } from '@cvae/replicas';

export const DEFAULT_EVAL_SEED = 0;
export const DEFAULT_EVAL_BATCH_SIZE = 500;
export const DEFAULT_IW_SAMPLES = 64;

export interface Metrics {
  images: number;
  seed: number;
  /** Single-sample Monte Carlo ELBO per image (nats), as in training: log p(x|z) + log p(z) − log q(z|x). */
  elbo: Estimate;
  /** Analytic KL(q(z|x) ‖ N(0, I)) per image (nats). */
  kl: Estimate;
  /** Per-pixel mean squared error between the binarized input and sigmoid(decode(mean)). */
  reconstructionMse: Estimate;
  /** Bernoulli cross-entropy of the input under sigmoid(decode(mean)), summed over pixels (nats/image). */
  reconstructionCrossEntropy: Estimate;
  /** Importance-weighted log p(x) with `samples` draws (nats/image); absent when not requested. */
  iwae?: Estimate & { samples: number };
  elapsedMs: number;
}

export interface EvalProgress {
  phase: 'elbo' | 'iwae';
  done: number;
  total: number;
  elapsedMs: number;
  /** Linear extrapolation of the current phase; undefined before the first batch completes. */
  etaMs?: number;
}

export interface EvaluateOptions {
  /** Seeds the eps streams (ELBO: deriveSeed(seed, 'elbo-eps'), IWAE: deriveSeed(seed, 'iwae-eps')). */
  seed?: number;
  batchSize?: number;
  /** Importance samples per image for the IWAE bound; 0 or undefined skips it (it costs k decoder passes per image). */
  iwSamples?: number;
  onProgress?: (progress: EvalProgress) => void;
  /**
   * Threads computing, the main thread included (default 1: no worker threads). With more, replica
   * workers take contiguous chunks of images; the numbers are those of one thread up to float summation.
   */
  workers?: number;
  /** Threads (and replicas of `model`) to evaluate on instead of starting `workers` (kept open). */
  replicas?: Replicas;
}

/** Every metric of every image, in set order (what gates pair with a baseline). */
export type PerImageValues = Partial<Record<'elbo' | 'kl' | 'reconstructionMse' | 'reconstructionCrossEntropy' | 'iwae', Float32Array>>;

/**
 * Evaluates `model` on every image of `set`. eps is drawn image by image from one seeded stream
 * (normals(latentDim) per image, in set order), so the numbers depend neither on the batch size
 * nor on the number of workers.
 */
export async function evaluateModel(model: CVAE, set: ImageSet, options: EvaluateOptions = {}): Promise<Metrics> {
  return (await evaluatePerImage(model, set, options)).metrics;
}

/** evaluateModel, with the per-image values the estimates were made from. */
export async function evaluatePerImage(model: CVAE, set: ImageSet, options: EvaluateOptions = {}): Promise<{ metrics: Metrics; perImage: PerImageValues }> {
  const { seed = DEFAULT_EVAL_SEED, batchSize = DEFAULT_EVAL_BATCH_SIZE, iwSamples = 0, onProgress, workers = 1 } = options;
  if (set.count === 0) throw new RangeError('evaluateModel: the image set is empty');
  if (iwSamples !== 0 && (!Number.isInteger(iwSamples) || iwSamples < 1)) throw new RangeError(`iwSamples must be a positive integer, got ${iwSamples}`);
  const started = Date.now();
  const replicas = options.replicas ?? Replicas.create(model, { threads: workers, label: 'evaluation worker pool' });
  try {
    const perImage = await perImageMetrics(replicas, set.images, { seed, batchSize, onProgress: progressReporter('elbo', set.count, onProgress) });
    const metrics: Metrics = {
      images: set.count,
      seed,
      elbo: estimate(perImage.elbo),
      kl: estimate(perImage.kl),
      reconstructionMse: estimate(perImage.mse),
      reconstructionCrossEntropy: estimate(perImage.crossEntropy),
      elapsedMs: 0,
    };
    const values: PerImageValues = { elbo: perImage.elbo, kl: perImage.kl, reconstructionMse: perImage.mse, reconstructionCrossEntropy: perImage.crossEntropy };
    if (iwSamples > 0) {
      const logPx = await perImageIwae(replicas, set.images, iwSamples, { seed, onProgress: progressReporter('iwae', set.count, onProgress) });
      metrics.iwae = { ...estimate(logPx), samples: iwSamples };
      values.iwae = logPx;
    }
    metrics.elapsedMs = Date.now() - started;
    return { metrics, perImage: values };
  } finally {
    if (options.replicas === undefined) await replicas.close();
  }
}

function progressReporter(phase: EvalProgress['phase'], total: number, onProgress?: (p: EvalProgress) => void): (done: number) => void {
  const started = Date.now();
  return (done) => {
    if (!onProgress) return;
    const elapsedMs = Date.now() - started;
    onProgress({ phase, done, total, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (total - done) : undefined });
  };
}
