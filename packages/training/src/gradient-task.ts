/**
 * The gradient task of a data-parallel step, run by replica workers (loaded from this module's path).
 * It never updates weights itself: the main thread owns the optimizer and the replicas receive the
 * updated weights with their next request, so checkpoints and resume need no worker state.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, ElboOptions } from '@cvae/model';
import { ReplicaTask, flattenTensors } from '@cvae/replicas';
import { computeShardGradients } from './step';

/** One shard's gradients at the replica's current weights. Every array is transferred. */
export interface GradientRequest {
  /** The shard's images, NHWC flat. */
  images: Float32Array;
  /** The shard's rows of the whole batch's eps. */
  eps: Float32Array;
  shardSize: number;
  /** Full batch size: the shard's loss is scaled by shardSize / batchSize. */
  batchSize: number;
  loss: ElboOptions;
}

export interface GradientResponse {
  /** This shard's contribution to the full-batch mean loss (already scaled). */
  loss: number;
  /** Gradient of the scaled shard loss, flat (transferred). */
  grads: Float32Array;
}

export const runTask: ReplicaTask<GradientRequest, GradientResponse> = (model: CVAE, request: GradientRequest) => {
  const x = model.imageTensor(request.images, request.shardSize);
  const eps = tf.tensor2d(request.eps, [request.shardSize, model.latentDim]);
  let gradients;
  try {
    gradients = computeShardGradients(model, x, eps, request.batchSize, request.loss);
  } finally {
    tf.dispose([x, eps]);
  }
  const grads = flattenTensors(gradients.grads);
  tf.dispose(gradients.grads);
  return { result: { loss: gradients.loss, grads }, transfer: [grads.buffer as ArrayBuffer] };
};
