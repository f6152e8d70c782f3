import * as tf from '@tensorflow/tfjs-core';
import type { CVAE, KlEstimator } from '@cvae/model';
import { computeGradients, Gradients } from '../step';

export { shardRanges } from '@cvae/model';
export type { ShardRange } from '@cvae/model';

/**
 * Loss and gradients of one shard's contribution to the full-batch mean −ELBO:
 * (shardSize / batchSize) · mean over the shard. Summing these over all shards gives exactly the
 * full batch's mean loss and its gradient (up to float rounding), because the mean is linear.
 * The caller owns the returned gradient tensors.
 */
export function computeShardGradients(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, batchSize: number, kl: KlEstimator): Gradients {
  return computeGradients(model, x, eps, { kl, lossScale: x.shape[0] / batchSize });
}
