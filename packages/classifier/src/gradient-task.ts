/**
 * The classifier's data-parallel gradient task, run by @cvae/replicas' workers (loaded from this
 * module's path). A replica worker always holds a CVAE; this task ignores it and keeps its own
 * classifier, built synchronously from the architecture in the request (a task must answer
 * synchronously) and set to the weights sent with every step, so it can never drift from the
 * main thread's, which owns the optimizer.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ReplicaTask } from '@cvae/replicas';
import { classifierGradients } from './loss';
import { ClassifierArchitecture } from './network';
import { WorkerClassifier } from './worker-classifier';

export interface ClassifierGradientRequest {
  architecture: ClassifierArchitecture;
  /** The main thread's current weights, flat (transferred). */
  weights: Float32Array;
  /** The shard's images, NHWC flat, and labels. */
  images: Float32Array;
  labels: Uint8Array;
  /** Loss scale: shard size / batch size. */
  scale: number;
}

export interface ClassifierGradientResponse {
  loss: number;
  /** Flat gradient of the scaled shard loss (transferred). */
  grads: Float32Array;
}

const cached = new WorkerClassifier();

export const runTask: ReplicaTask<ClassifierGradientRequest, ClassifierGradientResponse> = (_cvae, request) => {
  const classifier = cached.withWeights(request.architecture, request.weights);
  const { loss, grads } = classifierGradients(classifier, request.images, request.labels, request.scale);
  const flat = flattenAndDispose(grads);
  return { result: { loss, grads: flat }, transfer: [flat.buffer as ArrayBuffer] };
};

function flattenAndDispose(tensors: tf.Tensor[]): Float32Array {
  const flat = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const tensor of tensors) {
    flat.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  tf.dispose(tensors);
  return flat;
}
