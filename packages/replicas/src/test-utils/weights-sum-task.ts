/** Test task: answers with the sum of the replica's weights and the payload's `tag`, so a test sees which weights the worker holds. */
import * as tf from '@tensorflow/tfjs-core';
import type { ReplicaTask } from '../protocol';

export const runTask: ReplicaTask<{ tag: string }, { tag: string; weightSum: number }> = (model, request) => {
  const weightSum = tf.tidy(() => tf.addN(model.trainableVariables().map((v) => tf.sum(v))).dataSync()[0]);
  return { result: { tag: request.tag, weightSum } };
};
