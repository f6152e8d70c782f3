/**
 * The per-image test metrics, computed in one place for training's per-epoch evaluation and for
 * `cvae eval` (and their worker threads), so both report the same numbers for the same checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, deriveSeed } from '@cvae/dataset';
import { CVAE, IMAGE_SHAPE } from './cvae';
import { analyticKl, logNormalPdf, sigmoidCrossEntropyWithLogits } from './loss';

const PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2];

/** Order of the rows `batchMetrics` returns (and of the flat arrays built from them). */
export const METRIC_NAMES = ['elbo', 'kl', 'mse', 'crossEntropy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type PerImageMetrics = Record<MetricName, Float32Array>;

/** Mean over images and its standard error (sample standard deviation / √n). */
export interface Estimate {
  mean: number;
  standardError: number;
}

/** Label of the ELBO's eps stream: deriveSeed(seed, ELBO_EPS_LABEL); training evaluates with seed 0, as `cvae eval` by default. */
export const ELBO_EPS_LABEL = 'elbo-eps';

/**
 * The eps of images [firstImage, firstImage + count) of the ELBO stream for `seed`: image i gets
 * normals [i·latentDim, (i+1)·latentDim) of SeededRandom(deriveSeed(seed, 'elbo-eps')). A shard
 * starting later skips the earlier images' draws, so any split reproduces the single-thread stream.
 */
export function elboEps(seed: number, firstImage: number, count: number, latentDim: number): Float32Array {
  const random = new SeededRandom(deriveSeed(seed, ELBO_EPS_LABEL));
  for (let skipped = 0; skipped < firstImage * latentDim; skipped++) random.normal();
  return random.normals(count * latentDim);
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

/** `batchMetrics` on typed arrays (NHWC images, [count, latentDim] eps): the four rows, flat, in METRIC_NAMES order. */
export function batchMetricsValues(model: CVAE, images: Float32Array, eps: Float32Array): Float32Array {
  const count = images.length / PIXELS;
  const stacked = tf.tidy(() => tf.stack(batchMetrics(model, tf.tensor4d(images, [count, ...IMAGE_SHAPE]), tf.tensor2d(eps, [count, model.latentDim]))));
  try {
    return stacked.dataSync() as Float32Array;
  } finally {
    stacked.dispose();
  }
}

export function emptyPerImageMetrics(count: number): PerImageMetrics {
  return { elbo: new Float32Array(count), kl: new Float32Array(count), mse: new Float32Array(count), crossEntropy: new Float32Array(count) };
}

/** Writes a flat `batchMetricsValues` result for images [start, start + count) into `target`. */
export function storeBatchMetrics(target: PerImageMetrics, values: Float32Array, start: number): void {
  const count = values.length / METRIC_NAMES.length;
  METRIC_NAMES.forEach((name, row) => target[name].set(values.subarray(row * count, (row + 1) * count), start));
}

/**
 * Every metric for every image, on this thread, in batches of `batchSize` (memory only: the numbers
 * do not depend on it). `eps` holds latentDim normals per image, e.g. elboEps(seed, 0, count, latentDim).
 */
export function perImageMetrics(model: CVAE, images: Float32Array, eps: Float32Array, batchSize: number, onBatch?: (done: number) => void): PerImageMetrics {
  const count = images.length / PIXELS;
  const out = emptyPerImageMetrics(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const values = batchMetricsValues(model, images.subarray(start * PIXELS, (start + n) * PIXELS), eps.subarray(start * model.latentDim, (start + n) * model.latentDim));
    storeBatchMetrics(out, values, start);
    onBatch?.(start + n);
  }
  return out;
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
