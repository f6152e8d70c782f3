/**
 * The 'classifier-features' task, run by @cvae/replicas' workers and, for its share, by the main
 * thread: makes a chunk's images — given ones, decodes of prior draws, or reconstructions — with the
 * worker's CVAE replica, and returns the classifier's features and class probabilities of them.
 * The classifier is rebuilt from the architecture in the request (a task answers synchronously, so
 * it cannot load files) and takes the weights sent with every request (skipped when unchanged).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CVAE } from '@cvae/model';
import type { ReplicaTask } from '@cvae/replicas';
import { Classifier, ClassifierArchitecture } from './network';
import { ClassifierValues, classifyTensor, withTidy } from './predict';
import { WorkerClassifier } from './worker-classifier';

/** How a decoded image (its mean in [0, 1]: Bernoulli probabilities or logistic means) is shown to the classifier: as it is, or binarized at 0.5. */
export type SampleImages = 'probabilities' | 'binarized';

export type ImageSource =
  /** Images as they are (e.g. the test set). */
  | { kind: 'images'; images: Float32Array }
  /** sigmoid(decode(eps)): one prior sample per `latentDim` values of eps. */
  | { kind: 'prior'; eps: Float32Array }
  /** sigmoid(decode(mean of q(z|x))) of each image: its reconstruction. */
  | { kind: 'recon'; images: Float32Array };

export interface FeaturesRequest {
  architecture: ClassifierArchitecture;
  weights: Float32Array;
  /** Identifies `weights` (the weights file's sha256): a worker sets them once. */
  weightsKey: string;
  sampleImages: SampleImages;
  source: ImageSource;
}

const cached = new WorkerClassifier();

export const runTask: ReplicaTask<FeaturesRequest, ClassifierValues> = (model, request) => {
  const classifier = cached.withWeights(request.architecture, request.weights, request.weightsKey);
  const values = computeFeatures(model, classifier, request.source, request.sampleImages);
  return { result: values, transfer: [values.features.buffer, values.probabilities.buffer] as ArrayBuffer[] };
};

/** Features and probabilities of one chunk, on this thread (what the task runs). */
export function computeFeatures(model: CVAE, classifier: Classifier, source: ImageSource, sampleImages: SampleImages): ClassifierValues {
  return withTidy(() => {
    const images = sourceImages(model, source);
    const shown = source.kind !== 'images' && sampleImages === 'binarized' ? tf.cast(tf.greater(images, 0.5), 'float32') : images;
    return classifyTensor(classifier, shown as tf.Tensor4D);
  });
}

function sourceImages(model: CVAE, source: ImageSource): tf.Tensor4D {
  switch (source.kind) {
    case 'images':
      return model.imageTensor(source.images);
    case 'prior':
      return model.sample(tf.tensor2d(source.eps, [source.eps.length / model.latentDim, model.latentDim]));
    case 'recon':
      return model.decodeMean(model.encode(model.imageTensor(source.images)).mean);
  }
}
