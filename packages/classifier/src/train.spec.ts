import * as tf from '@tensorflow/tfjs-core';
import { loadSplit } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { ClassifierTrainConfig, TrainedClassifier, trainClassifier } from './train';

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

test('images of another size are refused in one line naming both sizes', async () => {
  const small = { ...testSet, height: 14, width: 56 };
  await expect(trainClassifier(train, small, CONFIG)).rejects.toThrow('classifier training: the test images are 14×56, the classifier takes 28×28');
});

test('bad settings are refused before any work, naming the setting', async () => {
  await expect(trainClassifier(train, testSet, { ...CONFIG, batchSize: 0 })).rejects.toThrow('classifier training: batchSize must be a positive integer, got 0');
  await expect(trainClassifier(train, testSet, { ...CONFIG, learningRate: -1 })).rejects.toThrow('classifier training: learningRate must be positive, got -1');
});
