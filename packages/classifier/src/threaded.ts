/**
 * The classifier's features and probabilities of many images on all threads, through @cvae/replicas'
 * work queue: contiguous chunks handed out in order to whichever thread is free, prior draws taken
 * from the one seeded stream as each chunk is handed out, results written back by index — so the
 * values do not depend on the number of threads.
 */
import * as path from 'path';
import { SeededRandom } from '@cvae/dataset';
import { formatShape } from '@cvae/model';
import { type Replicas, chunkPlan } from '@cvae/replicas';
import { FeaturesRequest, ImageSource, SampleImages, computeFeatures } from './features-task';
import { type Classifier, ClassifierShapeError } from './network';
import type { ClassifierValues } from './predict';

export const FEATURES_TASK = 'classifier-features';
/** Without extension: features-task.js when built, features-task.ts from sources (see @cvae/replicas). */
export const FEATURES_TASK_MODULE = path.join(__dirname, 'features-task');
/** The task entry to pass as `Replicas.create(model, { tasks: CLASSIFIER_TASKS })`. */
export const CLASSIFIER_TASKS: Record<string, string> = { [FEATURES_TASK]: FEATURES_TASK_MODULE };

/** Images per chunk: bounds memory and gives the queue enough items to balance two threads. */
export const FEATURES_CHUNK = 500;

/** What to classify: given images, reconstructions of given images, or `count` prior samples drawn from `random`. */
export type ThreadedSource =
  | { kind: 'images' | 'recon'; images: Float32Array }
  | { kind: 'prior'; count: number; random: SeededRandom };

export interface ThreadedClassifier {
  classifier: Classifier;
  /** The weights file's sha256: workers set the weights once per key. */
  weightsKey: string;
}

export interface ThreadedOptions {
  sampleImages: SampleImages;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `source` through the CVAE replicas (decode / reconstruct) and the classifier on every thread
 * of `replicas`, which must have been created with `tasks: CLASSIFIER_TASKS` with a CVAE whose images
 * are the classifier's input shape.
 */
export async function classifyOnThreads(replicas: Replicas, target: ThreadedClassifier, source: ThreadedSource, options: ThreadedOptions): Promise<ClassifierValues> {
  const { classifier, weightsKey } = target;
  assertClassifierFits(classifier, replicas.model.inputShape, 'the model');
  const pixels = replicas.model.pixelsPerImage;
  const total = source.kind === 'prior' ? source.count : source.images.length / pixels;
  const featureDim = classifier.featureDim;
  const classes = classifier.architecture.classes;
  const out: ClassifierValues = { features: new Float32Array(total * featureDim), probabilities: new Float32Array(total * classes) };
  const weights = classifier.getFlatWeights();
  const chunks = chunkPlan(total, FEATURES_CHUNK, replicas.threads);
  let nextChunk = 0;
  let done = 0;
  await replicas.queue<{ start: number; count: number; source: ImageSource }, ClassifierValues>({
    task: FEATURES_TASK,
    count: chunks.length,
    next: () => {
      if (nextChunk === chunks.length) return undefined;
      const { start, count } = chunks[nextChunk++];
      return { start, count, source: chunkSource(source, start, count, replicas.model.latentDim, pixels) };
    },
    local: (chunk) => computeFeatures(replicas.model, classifier, chunk.source, options.sampleImages),
    remote: (chunk) => {
      const payload: FeaturesRequest = { architecture: classifier.architecture, weights: weights.slice(), weightsKey, sampleImages: options.sampleImages, source: chunk.source };
      const data = chunk.source.kind === 'prior' ? chunk.source.eps : chunk.source.images;
      return { payload, transfer: [payload.weights.buffer, data.buffer] as ArrayBuffer[] };
    },
    done: (chunk, values) => {
      out.features.set(values.features, chunk.start * featureDim);
      out.probabilities.set(values.probabilities, chunk.start * classes);
      options.onProgress?.((done += chunk.count), total);
    },
  });
  return out;
}

/**
 * The classifier must take images of `inputShape` (a CVAE's, whose samples and reconstructions it is
 * shown): one line naming both shapes and `what` (e.g. `classifier classifiers/mnist`) otherwise.
 */
export function assertClassifierFits(classifier: Classifier, inputShape: readonly number[], model: string, what = 'the classifier'): void {
  const expected = classifier.architecture.inputShape;
  if (expected.length === inputShape.length && expected.every((d, i) => d === inputShape[i])) return;
  throw new ClassifierShapeError(`${what} takes ${formatShape(expected)} images, but ${model}'s are ${formatShape(inputShape)} (a classifier judges only images of its own shape)`);
}

function chunkSource(source: ThreadedSource, start: number, count: number, latentDim: number, pixels: number): ImageSource {
  // slice(), not subarray(): a worker's arrays are transferred, which would detach the whole set.
  if (source.kind === 'prior') return { kind: 'prior', eps: source.random.normals(count * latentDim) };
  return { kind: source.kind, images: source.images.slice(start * pixels, (start + count) * pixels) };
}
