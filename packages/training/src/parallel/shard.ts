import * as tf from '@tensorflow/tfjs-core';
import { CVAE, KlEstimator, negativeElbo } from '@cvae/model';
import type { Gradients } from '../step';

export { shardRanges } from '@cvae/model';
export type { ShardRange } from '@cvae/model';

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
