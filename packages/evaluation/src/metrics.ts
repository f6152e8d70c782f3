import { ImageSet, SeededRandom, deriveSeed } from '@cvae/dataset';
import { CVAE, ELBO_EPS_LABEL, Estimate, emptyPerImageMetrics, estimate, storeBatchMetrics } from '@cvae/model';
import { EvaluationThreads } from './parallel-metrics';

// The metric core lives in @cvae/model so training's per-epoch evaluation computes the same numbers.
export { batchMetrics, estimate } from '@cvae/model';
export type { Estimate } from '@cvae/model';

export const DEFAULT_EVAL_SEED = 0;
export const DEFAULT_EVAL_BATCH_SIZE = 500;
export const DEFAULT_IW_SAMPLES = 64;
/** Decoder passes per IWAE chunk: bounds memory (k samples × images per chunk). */
const IWAE_DECODES_PER_CHUNK = 4096;

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
}

/**
 * Evaluates `model` on every image of `set`. eps is drawn image by image from one seeded stream
 * (normals(latentDim) per image, in set order), so the numbers depend neither on the batch size
 * nor on the number of workers.
 */
export async function evaluateModel(model: CVAE, set: ImageSet, options: EvaluateOptions = {}): Promise<Metrics> {
  const { seed = DEFAULT_EVAL_SEED, batchSize = DEFAULT_EVAL_BATCH_SIZE, iwSamples = 0, onProgress, workers = 1 } = options;
  if (set.count === 0) throw new RangeError('evaluateModel: the image set is empty');
  if (iwSamples !== 0 && (!Number.isInteger(iwSamples) || iwSamples < 1)) throw new RangeError(`iwSamples must be a positive integer, got ${iwSamples}`);
  const started = Date.now();
  const threads = new EvaluationThreads(model, workers);
  try {
    const perImage = await perImageMetrics(threads, model, set, seed, batchSize, progressReporter('elbo', set.count, onProgress));
    const metrics: Metrics = {
      images: set.count,
      seed,
      elbo: estimate(perImage.elbo),
      kl: estimate(perImage.kl),
      reconstructionMse: estimate(perImage.mse),
      reconstructionCrossEntropy: estimate(perImage.crossEntropy),
      elapsedMs: 0,
    };
    if (iwSamples > 0) {
      const logPx = await iwaePerImage(threads, model, set, iwSamples, seed, progressReporter('iwae', set.count, onProgress));
      metrics.iwae = { ...estimate(logPx), samples: iwSamples };
    }
    metrics.elapsedMs = Date.now() - started;
    return metrics;
  } finally {
    await threads.close();
  }
}

async function perImageMetrics(threads: EvaluationThreads, model: CVAE, set: ImageSet, seed: number, batchSize: number, progress: (done: number) => void) {
  const out = emptyPerImageMetrics(set.count);
  let done = 0;
  await threads.run({
    kind: 'elbo',
    images: set.images,
    imagesPerChunk: batchSize,
    epsPerImage: model.latentDim,
    eps: new SeededRandom(deriveSeed(seed, ELBO_EPS_LABEL)),
    onChunk: (start, count, values) => {
      storeBatchMetrics(out, values, start);
      progress((done += count));
    },
  });
  return out;
}

/** IWAE eps is image-major (image j's k draws are consecutive), so the stream does not depend on the chunk size. */
async function iwaePerImage(threads: EvaluationThreads, model: CVAE, set: ImageSet, k: number, seed: number, progress: (done: number) => void): Promise<Float32Array> {
  const out = new Float32Array(set.count);
  let done = 0;
  await threads.run({
    kind: 'iwae',
    images: set.images,
    imagesPerChunk: Math.max(1, Math.floor(IWAE_DECODES_PER_CHUNK / k)),
    epsPerImage: k * model.latentDim,
    eps: new SeededRandom(deriveSeed(seed, 'iwae-eps')),
    k,
    onChunk: (start, count, values) => {
      out.set(values, start);
      progress((done += count));
    },
  });
  return out;
}

function progressReporter(phase: EvalProgress['phase'], total: number, onProgress?: (p: EvalProgress) => void): (done: number) => void {
  const started = Date.now();
  return (done) => {
    if (!onProgress) return;
    const elapsedMs = Date.now() - started;
    onProgress({ phase, done, total, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (total - done) : undefined });
  };
}
