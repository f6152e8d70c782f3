/**
 * One chunk of evaluation work, computed the same way on the main thread and in a replica worker
 * (this module is also the workers' task module: it exports `runTask`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, IMAGE_SHAPE, ReplicaTask, batchMetricsValues, logNormalPdf, sigmoidCrossEntropyWithLogits } from '@cvae/model';

/** `images`: NHWC flat; `eps`: latentDim normals per image (ELBO) or k·latentDim, image-major (IWAE). */
export type ChunkRequest = { kind: 'elbo'; images: Float32Array; eps: Float32Array } | { kind: 'iwae'; images: Float32Array; eps: Float32Array; k: number };

/** ELBO chunk: batchMetricsValues (4 rows, METRIC_NAMES order); IWAE chunk: log p(x) per image. */
export function computeChunk(model: CVAE, request: ChunkRequest): Float32Array {
  if (request.kind === 'elbo') return batchMetricsValues(model, request.images, request.eps);
  return iwaeValues(model, request.images, request.eps, request.k);
}

export const runTask: ReplicaTask<ChunkRequest, Float32Array> = (model, request) => {
  const values = computeChunk(model, request);
  return { result: values, transfer: [values.buffer as ArrayBuffer] };
};

/**
 * log p(x) ≈ log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x): a lower bound that tightens
 * as k grows (k = 1 is the ELBO). Computed as logSumExp − log k, which subtracts the maximum
 * before exponentiating, so log-weights of −500 nats do not underflow to log(0).
 */
function iwaeValues(model: CVAE, images: Float32Array, eps: Float32Array, k: number): Float32Array {
  const count = images.length / (IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2]);
  const logPx = tf.tidy(() => iwaeChunk(model, tf.tensor4d(images, [count, ...IMAGE_SHAPE]), tf.tensor2d(eps, [count * k, model.latentDim]), k));
  try {
    return logPx.dataSync() as Float32Array;
  } finally {
    logPx.dispose();
  }
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
