/**
 * The per-image test metrics, computed in one place for training's per-epoch evaluation and for
 * `cvae eval` (and their worker threads), so both report the same numbers for the same checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { likelihoodOf } from './architecture';
import type { CVAE } from './cvae';
import { meanImage } from './likelihood';
import { analyticKl, logLikelihood, logPriorOverPosterior } from './loss';

/** Order of the rows `batchMetrics` returns (and of the flat arrays built from them). */
export const METRIC_NAMES = ['elbo', 'kl', 'mse', 'crossEntropy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type PerImageMetrics = Record<MetricName, Float32Array>;

export type { Estimate } from '@cvae/formats';

/** Label of the ELBO's eps stream: deriveSeed(seed, ELBO_EPS_LABEL); training evaluates with seed 0, as `cvae eval` by default. */
export const ELBO_EPS_LABEL = 'elbo-eps';
/** Label of the IWAE eps stream: deriveSeed(seed, IWAE_EPS_LABEL), k·latentDim normals per image in set order. */
export const IWAE_EPS_LABEL = 'iwae-eps';

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
    const elbo = tf.add(logLikelihood(model, model.decode(z), x), logPriorOverPosterior(z, mean, logvar)) as tf.Tensor1D;
    const output = model.decode(mean);
    const mse = tf.mean(tf.squaredDifference(meanImage(likelihoodOf(model.architecture), output), x), [1, 2, 3]) as tf.Tensor1D;
    const crossEntropy = tf.neg(logLikelihood(model, output, x)) as tf.Tensor1D;
    return [elbo, analyticKl(mean, logvar), mse, crossEntropy];
  });
}

/** `batchMetrics` on typed arrays (NHWC images, [count, latentDim] eps): the four rows, flat, in METRIC_NAMES order. */
export function batchMetricsValues(model: CVAE, images: Float32Array, eps: Float32Array): Float32Array {
  const count = images.length / model.pixelsPerImage;
  const stacked = tf.tidy(() => tf.stack(batchMetrics(model, model.imageTensor(images), tf.tensor2d(eps, [count, model.latentDim]))));
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
 * log p(x) ≈ log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), per image: the importance-weighted
 * bound (IWAE), which tightens as k grows (k = 1 is the ELBO). `eps` is image-major: image j's k draws
 * of latentDim normals are consecutive. Computed as logSumExp − log k, which subtracts the maximum
 * before exponentiating, so log-weights of −500 nats do not underflow to log(0).
 */
export function iwaeValues(model: CVAE, images: Float32Array, eps: Float32Array, k: number): Float32Array {
  const count = images.length / model.pixelsPerImage;
  const logPx = tf.tidy(() => iwaeBatch(model, model.imageTensor(images), tf.tensor2d(eps, [count * k, model.latentDim]), k));
  try {
    return logPx.dataSync() as Float32Array;
  } finally {
    logPx.dispose();
  }
}

function iwaeBatch(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, k: number): tf.Tensor1D {
  const count = x.shape[0];
  const { mean, logvar } = model.encode(x);
  const repeatRows = (t: tf.Tensor2D) => tf.reshape(tf.tile(tf.expandDims(t, 1), [1, k, 1]), [count * k, model.latentDim]) as tf.Tensor2D;
  const meanK = repeatRows(mean);
  const logvarK = repeatRows(logvar);
  const z = model.reparameterize(meanK, logvarK, eps);
  // Image j's row of x serves its k decodes (rows j·k … j·k + k − 1): no k-fold copy of the images.
  const logWeights = tf.add(logLikelihood(model, model.decode(z), x, k), logPriorOverPosterior(z, meanK, logvarK));
  return tf.sub(tf.logSumExp(tf.reshape(logWeights, [count, k]), 1), Math.log(k)) as tf.Tensor1D;
}

/** A chunk of images to measure: the ELBO metrics (latentDim eps per image) or IWAE (k·latentDim per image). */
export type MetricChunk = { kind: 'elbo'; images: Float32Array; eps: Float32Array } | { kind: 'iwae'; images: Float32Array; eps: Float32Array; k: number };

/** ELBO chunk: batchMetricsValues (4 rows, METRIC_NAMES order); IWAE chunk: log p(x) per image. */
export function computeMetricChunk(model: CVAE, chunk: MetricChunk): Float32Array {
  return chunk.kind === 'elbo' ? batchMetricsValues(model, chunk.images, chunk.eps) : iwaeValues(model, chunk.images, chunk.eps, chunk.k);
}
