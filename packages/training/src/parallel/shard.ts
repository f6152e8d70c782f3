import * as tf from '@tensorflow/tfjs-core';
import { CVAE, KlEstimator, negativeElbo } from '@cvae/model';
import type { Gradients } from '../step';

/** One shard of a batch: rows [start, start + size). */
export interface ShardRange {
  start: number;
  size: number;
}

/**
 * Splits `batchSize` rows into at most `shards` contiguous, non-empty ranges whose sizes differ by at
 * most one (earlier shards take the remainder). A batch smaller than `shards` yields fewer shards.
 */
export function shardRanges(batchSize: number, shards: number): ShardRange[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`shardRanges: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shardRanges: shards must be a positive integer, got ${shards}`);
  const count = Math.min(shards, batchSize);
  const base = Math.floor(batchSize / count);
  const remainder = batchSize % count;
  const ranges: ShardRange[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < remainder ? 1 : 0);
    ranges.push({ start, size });
    start += size;
  }
  return ranges;
}

/**
 * Loss and gradients of one shard's contribution to the full-batch mean −ELBO:
 * (shardSize / batchSize) · mean over the shard. Summing these over all shards gives exactly the
 * full batch's mean loss and its gradient (up to float rounding), because the mean is linear.
 * Scaling the loss (not the gradients afterwards) costs one scalar multiply at the top of the graph.
 * The caller owns the returned gradient tensors.
 */
export function computeShardGradients(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, batchSize: number, kl: KlEstimator): Gradients {
  const scale = x.shape[0] / batchSize;
  const variables = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => tf.mul(negativeElbo(model, x, eps, { kl }), scale) as tf.Scalar, variables);
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads: variables.map((variable) => grads[variable.name]) };
}
