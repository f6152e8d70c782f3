import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from './network';

/** Images per forward pass on one thread: bounds memory, not results. */
export const PREDICT_BATCH = 500;

/** Features, softmax probabilities, for a set of images (NHWC flat), on this thread. */
export interface ClassifierValues {
  /** count × featureDim. */
  features: Float32Array;
  /** count × classes. */
  probabilities: Float32Array;
}

/** The classifier's features and class probabilities of every image, in batches of PREDICT_BATCH. */
export function classifyImages(classifier: Classifier, images: Float32Array): ClassifierValues {
  const { inputShape, classes } = classifier.architecture;
  const pixels = inputShape.reduce((a, b) => a * b, 1);
  const count = images.length / pixels;
  const features = new Float32Array(count * classifier.featureDim);
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    const size = Math.min(PREDICT_BATCH, count - start);
    const batch = images.subarray(start * pixels, (start + size) * pixels);
    const values = classifyBatch(classifier, batch, size);
    features.set(values.features, start * classifier.featureDim);
    probabilities.set(values.probabilities, start * classes);
  }
  return { features, probabilities };
}

/** One batch through the network; tensors released. */
export function classifyBatch(classifier: Classifier, images: Float32Array, count: number): ClassifierValues {
  return withTidy(() => {
    const x = tf.tensor4d(images, [count, ...classifier.architecture.inputShape] as [number, number, number, number]);
    return classifyTensor(classifier, x);
  });
}

/** Features and softmax of a batch tensor (call inside tf.tidy). */
export function classifyTensor(classifier: Classifier, x: tf.Tensor4D): ClassifierValues {
  const { features, logits } = classifier.apply(x);
  return { features: features.dataSync() as Float32Array, probabilities: tf.softmax(logits).dataSync() as Float32Array };
}

/** The most probable class of each image. */
export function predictLabels(classifier: Classifier, images: Float32Array): Uint8Array {
  return argmaxRows(classifyImages(classifier, images).probabilities, classifier.architecture.classes);
}

/** argmax of each row of a row-major count × classes matrix (first maximum on ties). */
export function argmaxRows(probabilities: Float32Array, classes: number): Uint8Array {
  const count = probabilities.length / classes;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Runs `work` in a tf.tidy scope and returns its plain (non-tensor) result. */
export function withTidy<T>(work: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = work();
  });
  return result as T;
}
