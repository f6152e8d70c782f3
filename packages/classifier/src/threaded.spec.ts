import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { CVAE, convRgbArchitecture } from '@cvae/model';
import { Replicas } from '@cvae/replicas';
import { initBackend } from '@cvae/tfjs-kernels';
import { Classifier, ClassifierShapeError, classifierArchitecture } from './network';
import { classifyImages } from './predict';
import { colourBlobSet } from './test-utils/colour-blobs';
import { CLASSIFIER_TASKS, FEATURES_CHUNK, ThreadedSource, classifyOnThreads } from './threaded';

// More than one chunk per thread, so both threads take part and the hand-out order matters.
const SAMPLES = 2 * FEATURES_CHUNK + 37;
let model: CVAE;
let classifier: Classifier;

beforeAll(async () => {
  await initBackend('wasm');
  model = CVAE.create({ architecture: convRgbArchitecture(32, 4), seed: 3 });
  classifier = Classifier.create({ seed: 2, architecture: classifierArchitecture([32, 32, 3], 3) });
});
afterAll(() => {
  model.dispose();
  classifier.dispose();
});

async function onThreads(threads: number, source: () => ThreadedSource, target = classifier) {
  const replicas = Replicas.create(model, { threads, tasks: CLASSIFIER_TASKS, label: 'threaded spec' });
  try {
    return await classifyOnThreads(replicas, { classifier: target, weightsKey: `seed-2-${target.architecture.inputShape}` }, source(), { sampleImages: 'probabilities' });
  } finally {
    await replicas.close();
  }
}

describe("an RGB CVAE's images through the classifier on the replicas' threads", () => {
  test('prior samples on 2 threads: the values of decoding the same draws here and classifying them, for any thread count', async () => {
    const prior = () => ({ kind: 'prior' as const, count: SAMPLES, random: new SeededRandom(8) });
    const two = await onThreads(2, prior);
    expect(two.features.length).toBe(SAMPLES * 128);
    expect(two.probabilities.length).toBe(SAMPLES * 3);
    // Here: the same draws, in the same order (one stream, chunk by chunk), decoded and classified on this thread.
    const eps = new SeededRandom(8).normals(SAMPLES * model.latentDim);
    const decoded = model.decodeMeanValues(eps);
    expect(decoded.length).toBe(SAMPLES * 32 * 32 * 3);
    const here = classifyImages(classifier, decoded);
    const worst = here.features.reduce((m, v, i) => Math.max(m, Math.abs(v - two.features[i])), 0);
    expect(worst).toBeLessThan(1e-4);
    expect(await onThreads(1, prior)).toEqual(two);
  }, 180_000);

  test('reconstructions and given images: one row of 3 class probabilities per image', async () => {
    const images = colourBlobSet('test', 40, 5).images;
    const recon = await onThreads(2, () => ({ kind: 'recon', images }));
    const given = await onThreads(2, () => ({ kind: 'images', images }));
    expect(given).toEqual(classifyImages(classifier, images));
    expect(recon.probabilities.length).toBe(40 * 3);
    expect(recon.features).not.toEqual(given.features);
    const sums = Array.from({ length: 40 }, (_, i) => recon.probabilities.subarray(3 * i, 3 * i + 3).reduce((a, b) => a + b, 0));
    sums.forEach((sum) => expect(sum).toBeCloseTo(1, 5));
  }, 120_000);

  test('a classifier of another input shape is refused in one line naming both shapes', async () => {
    const mnist = Classifier.create({ seed: 1 });
    try {
      const run = onThreads(2, () => ({ kind: 'prior', count: 10, random: new SeededRandom(1) }), mnist);
      await expect(run).rejects.toThrow(ClassifierShapeError);
      await expect(onThreads(1, () => ({ kind: 'prior', count: 10, random: new SeededRandom(1) }), mnist)).rejects.toThrow(
        "the classifier takes 28×28×1 images, but the model's are 32×32×3 (a classifier judges only images of its own shape)",
      );
    } finally {
      mnist.dispose();
    }
    expect(tf.getBackend()).toBe('wasm');
  }, 60_000);
});
