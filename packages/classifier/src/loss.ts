import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from './network';

/** Loss and gradients in `classifier.trainableVariables()` order; the caller owns `grads`. */
export interface ClassifierGradients {
  loss: number;
  grads: tf.Tensor[];
}

/**
 * Softmax cross-entropy of a shard, scaled by `scale` (shardSize / batchSize in a data-parallel
 * step, so the shards' gradients sum to the whole batch's mean-loss gradient), and its gradient.
 */
export function classifierGradients(classifier: Classifier, images: Float32Array, labels: Uint8Array, scale: number): ClassifierGradients {
  const variables = classifier.trainableVariables();
  const x = tf.tensor4d(images, [labels.length, ...classifier.architecture.inputShape] as [number, number, number, number]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classifier.architecture.classes);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const { features, logits } = classifier.apply(x, { training: true });
      features.dispose();
      return tf.mul(tf.losses.softmaxCrossEntropy(y, logits), scale) as tf.Scalar;
    }, variables);
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads: variables.map((variable) => grads[variable.name]) };
  } finally {
    tf.dispose([x, y]);
  }
}
