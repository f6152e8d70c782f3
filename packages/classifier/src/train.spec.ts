import * as tf from '@tensorflow/tfjs-core';
import { loadSplit } from '@cvae/dataset';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { classifierArchitecture } from './network';
import { colourBlobSet } from './test-utils/colour-blobs';
import { ClassifierTrainConfig, TrainedClassifier, UnlabelledDatasetError, datasetClasses, hostArchitecture, trainClassifier } from './train';

const train = loadSplit('train', { limit: 640 });
const testSet = loadSplit('test', { limit: 300 });
const CONFIG: ClassifierTrainConfig = { seed: 11, epochs: 2, batchSize: 64, learningRate: 2e-3, lrDecay: 0.75, maxShift: 2, workers: 1 };
const runs: TrainedClassifier[] = [];

async function run(config: Partial<ClassifierTrainConfig> = {}): Promise<TrainedClassifier> {
  const result = await trainClassifier(train, testSet, { ...CONFIG, ...config });
  runs.push(result);
  return result;
}

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => runs.forEach((r) => r.classifier.dispose()));

test('training on wasm with our kernels learns: the loss falls and test accuracy is far above chance', async () => {
  const progress: number[] = [];
  const result = await trainClassifier(train, testSet, CONFIG, (p) => progress.push(p.step));
  runs.push(result);
  expect(progress).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 1)]);
  expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
  expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
  expect(result.history[0].loss).toBeLessThan(2.3);
  expect(result.testAccuracy).toBeGreaterThan(0.6);
  expect(result.backend).toBe('wasm');
}, 120_000);

test('the same seed gives the same weights; another seed other weights', async () => {
  const [a, b, c] = [await run(), await run(), await run({ seed: 12 })];
  expect(a.classifier.getFlatWeights()).toEqual(b.classifier.getFlatWeights());
  expect(a.history).toEqual(b.history.map((h, i) => ({ ...h, elapsedMs: a.history[i].elapsedMs })));
  expect(c.classifier.getFlatWeights()).not.toEqual(a.classifier.getFlatWeights());
}, 120_000);

test('data-parallel on 2 threads takes the same steps as 1 thread, up to float summation order', async () => {
  const [one, two] = [await run({ epochs: 1 }), await run({ epochs: 1, workers: 2 })];
  expect(two.history[0].loss).toBeCloseTo(one.history[0].loss, 4);
  const [w1, w2] = [one.classifier.getFlatWeights(), two.classifier.getFlatWeights()];
  const worst = w1.reduce((m, v, i) => Math.max(m, Math.abs(v - w2[i])), 0);
  expect(worst).toBeLessThan(1e-3);
  expect(tf.getBackend()).toBe('wasm');
}, 120_000);

test('MNIST: 28×28×1 images and labels 0–9 give the committed design (10 classes)', async () => {
  const result = await run({ epochs: 1 });
  expect(result.classifier.architecture).toEqual(classifierArchitecture());
  expect(datasetClasses(train, testSet)).toBe(10);
}, 120_000);

test('training and test images of different shapes are refused in one line naming both', async () => {
  const small = { ...testSet, height: 14, width: 56 };
  await expect(trainClassifier(train, small, CONFIG)).rejects.toThrow('classifier training: the training images are 28×28×1, the test images 14×56×1');
});

describe('any labelled dataset: 32×32×3 images of three colour classes', () => {
  const rgbTrain = colourBlobSet('train', 384, 1);
  const rgbTest = colourBlobSet('test', 150, 2);

  test('the network takes the images\' shape and the 3 classes, and a few epochs on 2 threads learn them', async () => {
    const result = await run({ epochs: 3, workers: 2, batchSize: 32 });
    expect(result.classifier.architecture).toEqual(classifierArchitecture([32, 32, 3], 3));
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    expect(result.history[2].loss).toBeLessThan(result.history[0].loss);
    async function run(config: Partial<ClassifierTrainConfig>) {
      const trained = await trainClassifier(rgbTrain, rgbTest, { ...CONFIG, ...config });
      runs.push(trained);
      return trained;
    }
  }, 180_000);

  test('the classes are the set\'s class names when it has them, else the largest label + 1', () => {
    expect(datasetClasses(rgbTrain, rgbTest)).toBe(3);
    expect(datasetClasses({ ...rgbTrain, classes: ['a', 'b', 'c', 'd', 'e'] }, { ...rgbTest, classes: undefined })).toBe(5);
    expect(datasetClasses({ ...rgbTrain, classes: undefined }, { ...rgbTest, classes: undefined, labels: rgbTest.labels.map((l) => (l === 2 ? 6 : l)) })).toBe(7);
    expect(() => datasetClasses({ ...rgbTrain, classes: ['a', 'b'] }, rgbTest)).toThrow('classifier training: label 2 is out of range for the dataset\'s 2 classes');
  });

  test('an unlabelled set (an image folder without classes) is refused before any work', async () => {
    const unlabelled = { ...rgbTrain, classes: [], labels: new Uint8Array(rgbTrain.count) };
    await expect(trainClassifier(unlabelled, { ...rgbTest, classes: [] }, CONFIG)).rejects.toThrow(UnlabelledDatasetError);
  });

  test("the training pool's host CVAE is the smallest valid model of the classifier's input shape", () => {
    for (const shape of [[32, 32, 3], [28, 28, 1], [5, 7, 3]]) {
      const host = CVAE.create({ architecture: hostArchitecture(shape), seed: 0 });
      expect([host.inputShape, host.pixelsPerImage, host.latentDim]).toEqual([shape, shape[0] * shape[1] * shape[2], 1]);
      host.dispose();
    }
  });
});

test('bad settings are refused before any work, naming the setting', async () => {
  await expect(trainClassifier(train, testSet, { ...CONFIG, batchSize: 0 })).rejects.toThrow('classifier training: batchSize must be a positive integer, got 0');
  await expect(trainClassifier(train, testSet, { ...CONFIG, learningRate: -1 })).rejects.toThrow('classifier training: learningRate must be positive, got -1');
});
