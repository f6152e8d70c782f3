/**
 * The gradient workers' task (loaded by the model package's replica worker from this module's path).
 * It never updates weights itself: the main thread owns the optimizer and broadcasts the weights
 * with each request, so checkpoints and resume need no worker state.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, IMAGE_SHAPE, ReplicaTask, flattenTensors } from '@cvae/model';
import type { GradientRequest, GradientResponse } from './protocol';
import { computeShardGradients } from './shard';

export const runTask: ReplicaTask<GradientRequest, GradientResponse> = (model: CVAE, request: GradientRequest) => {
  const x = tf.tensor4d(request.images, [request.shardSize, ...IMAGE_SHAPE]);
  const eps = tf.tensor2d(request.eps, [request.shardSize, model.latentDim]);
  let gradients;
  try {
    gradients = computeShardGradients(model, x, eps, request.batchSize, request.kl);
  } finally {
    tf.dispose([x, eps]);
  }
  const grads = flattenTensors(gradients.grads);
  tf.dispose(gradients.grads);
  return { result: { loss: gradients.loss, grads }, transfer: [grads.buffer as ArrayBuffer] };
};
