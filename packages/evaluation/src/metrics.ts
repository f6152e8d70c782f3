import * as tf from '@tensorflow/tfjs-core';
import { ImageSet, SeededRandom, deriveSeed } from '@cvae/dataset';
import { CVAE, analyticKl, logNormalPdf, sigmoidCrossEntropyWithLogits } from '@cvae/model';

export const DEFAULT_EVAL_SEED = 0;
export const DEFAULT_EVAL_BATCH_SIZE = 500;
export const DEFAULT_IW_SAMPLES = 64;
/** Decoder passes per IWAE chunk: bounds memory (k samples × images per chunk). */
const IWAE_DECODES_PER_CHUNK = 4096;

/** Mean over images and its standard error (sample standard deviation / √n). */
export interface Estimate {
  mean: number;
  standardError: number;
}

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
}

/**
 * Evaluates `model` on every image of `set`. eps is drawn image by image from one seeded stream
 * (normals(latentDim) per image, in set order), so the numbers do not depend on the batch size.
 */
export async function evaluateModel(model: CVAE, set: ImageSet, options: EvaluateOptions = {}): Promise<Metrics> {
  const { seed = DEFAULT_EVAL_SEED, batchSize = DEFAULT_EVAL_BATCH_SIZE, iwSamples = 0, onProgress } = options;
  if (set.count === 0) throw new RangeError('evaluateModel: the image set is empty');
  const started = Date.now();
  const perImage = await perImageMetrics(model, set, seed, batchSize, progressReporter('elbo', set.count, onProgress));
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
    const logPx = await iwaePerImage(model, set, iwSamples, seed, progressReporter('iwae', set.count, onProgress));
    metrics.iwae = { ...estimate(logPx), samples: iwSamples };
  }
  metrics.elapsedMs = Date.now() - started;
  return metrics;
}

interface PerImage {
  elbo: Float32Array;
  kl: Float32Array;
  mse: Float32Array;
  crossEntropy: Float32Array;
}

async function perImageMetrics(model: CVAE, set: ImageSet, seed: number, batchSize: number, progress: (done: number) => void): Promise<PerImage> {
  const out: PerImage = { elbo: new Float32Array(set.count), kl: new Float32Array(set.count), mse: new Float32Array(set.count), crossEntropy: new Float32Array(set.count) };
  const eps = new SeededRandom(deriveSeed(seed, 'elbo-eps'));
  for (let start = 0; start < set.count; start += batchSize) {
    const count = Math.min(batchSize, set.count - start);
    const batchEps = eps.normals(count * model.latentDim);
    const stacked = tf.tidy(() => tf.stack(batchMetrics(model, imageBatch(set, start, count), tf.tensor2d(batchEps, [count, model.latentDim]))));
    const values = await stacked.data();
    stacked.dispose();
    [out.elbo, out.kl, out.mse, out.crossEntropy].forEach((target, row) => target.set(values.subarray(row * count, (row + 1) * count), start));
    progress(start + count);
  }
  return out;
}

/**
 * [ELBO, KL, MSE, cross-entropy] per image from one encoder pass. The ELBO is the training
 * estimator (elboPerExample with kl 'monte-carlo': log p(x|z) + log p(z) − log q(z|x) at
 * z = mean + exp(logvar/2)·eps), written out here so the encoder runs once for all four metrics;
 * a unit test holds it equal to elboPerExample. KL, MSE and cross-entropy use the posterior
 * mean and no eps.
 */
export function batchMetrics(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D): tf.Tensor1D[] {
  return tf.tidy(() => {
    const { mean, logvar } = model.encode(x);
    const z = model.reparameterize(mean, logvar, eps);
    const logPxGivenZ = tf.neg(tf.sum(sigmoidCrossEntropyWithLogits(model.decode(z), x), [1, 2, 3]));
    const elbo = tf.sub(tf.add(logPxGivenZ, logNormalPdf(z, 0, 0)), logNormalPdf(z, mean, logvar)) as tf.Tensor1D;
    const logits = model.decode(mean);
    const mse = tf.mean(tf.squaredDifference(tf.sigmoid(logits), x), [1, 2, 3]) as tf.Tensor1D;
    const crossEntropy = tf.sum(sigmoidCrossEntropyWithLogits(logits, x), [1, 2, 3]) as tf.Tensor1D;
    return [elbo, analyticKl(mean, logvar), mse, crossEntropy];
  });
}

/**
 * log p(x) ≈ log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x): a lower bound that tightens
 * as k grows (k = 1 is the ELBO). Computed as logSumExp − log k, which subtracts the maximum
 * before exponentiating, so log-weights of −500 nats do not underflow to log(0).
 */
async function iwaePerImage(model: CVAE, set: ImageSet, k: number, seed: number, progress: (done: number) => void): Promise<Float32Array> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`iwSamples must be a positive integer, got ${k}`);
  const out = new Float32Array(set.count);
  const eps = new SeededRandom(deriveSeed(seed, 'iwae-eps'));
  const imagesPerChunk = Math.max(1, Math.floor(IWAE_DECODES_PER_CHUNK / k));
  for (let start = 0; start < set.count; start += imagesPerChunk) {
    const count = Math.min(imagesPerChunk, set.count - start);
    // Image-major: image j's k draws are consecutive, so the stream does not depend on the chunk size.
    const chunkEps = eps.normals(count * k * model.latentDim);
    const logPx = tf.tidy(() => iwaeChunk(model, imageBatch(set, start, count), tf.tensor2d(chunkEps, [count * k, model.latentDim]), k));
    out.set(await logPx.data(), start);
    logPx.dispose();
    progress(start + count);
  }
  return out;
}

function iwaeChunk(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, k: number): tf.Tensor1D {
  const count = x.shape[0];
  const { mean, logvar } = model.encode(x);
  const repeatRows = (t: tf.Tensor2D) => tf.reshape(tf.tile(tf.expandDims(t, 1), [1, k, 1]), [count * k, model.latentDim]) as tf.Tensor2D;
  const meanK = repeatRows(mean);
  const logvarK = repeatRows(logvar);
  const z = model.reparameterize(meanK, logvarK, eps);
  const xK = tf.reshape(tf.tile(tf.expandDims(x, 1), [1, k, 1, 1, 1]), [count * k, x.shape[1], x.shape[2], x.shape[3]]) as tf.Tensor4D;
  const logPxGivenZ = tf.neg(tf.sum(sigmoidCrossEntropyWithLogits(model.decode(z), xK), [1, 2, 3]));
  const logWeights = tf.sub(tf.add(logPxGivenZ, logNormalPdf(z, 0, 0)), logNormalPdf(z, meanK, logvarK));
  return tf.sub(tf.logSumExp(tf.reshape(logWeights, [count, k]), 1), Math.log(k)) as tf.Tensor1D;
}

function imageBatch(set: ImageSet, start: number, count: number): tf.Tensor4D {
  const pixels = set.height * set.width;
  return tf.tensor4d(set.images.subarray(start * pixels, (start + count) * pixels), [count, set.height, set.width, 1]);
}

/** Mean and standard error, accumulated in float64. */
export function estimate(values: ArrayLike<number>): Estimate {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  const variance = n > 1 ? squares / (n - 1) : 0;
  return { mean, standardError: Math.sqrt(variance / n) };
}

function progressReporter(phase: EvalProgress['phase'], total: number, onProgress?: (p: EvalProgress) => void): (done: number) => void {
  const started = Date.now();
  return (done) => {
    if (!onProgress) return;
    const elapsedMs = Date.now() - started;
    onProgress({ phase, done, total, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (total - done) : undefined });
  };
}
