import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { CVAE } from './cvae';
import { elboPerExample } from './loss';
import { batchMetrics, batchMetricsValues } from './metrics';

const PIXELS = 28 * 28;

/** Binary images with a seeded ~30% of pixels on: enough to check the arithmetic, no dataset needed. */
function binaryImages(count: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count * PIXELS }, () => (random.uniform() < 0.3 ? 1 : 0));
}

let model: CVAE;

beforeAll(async () => {
  await initBackend();
  model = CVAE.create({ latentDim: 2, seed: 7 });
});
afterAll(() => model.dispose());

describe('batchMetrics', () => {
  test('its ELBO is exactly the training estimator elboPerExample (monte-carlo)', () => {
    const x = tf.tensor4d(binaryImages(8, 1), [8, 28, 28, 1]);
    const eps = tf.randomNormal<tf.Rank.R2>([8, 2], 0, 1, 'float32', 3);
    const [ours] = batchMetrics(model, x, eps);
    const reference = elboPerExample(model, x, eps);
    const differences = Array.from(ours.dataSync()).map((v, i) => Math.abs(v - reference.dataSync()[i]));
    expect(Math.max(...differences)).toBeLessThan(1e-3);
    tf.dispose([x, eps, ours, reference]);
  });

  test('batchMetricsValues lays the four rows out flat and releases every tensor', () => {
    const images = binaryImages(5, 2);
    const eps = new SeededRandom(5).normals(5 * 2);
    const before = tf.memory().numTensors;
    const values = batchMetricsValues(model, images, eps);
    expect(tf.memory().numTensors).toBe(before);
    const rows = tf.tidy(() => batchMetrics(model, tf.tensor4d(images, [5, 28, 28, 1]), tf.tensor2d(eps, [5, 2])).map((row) => Array.from(row.dataSync())));
    expect(Array.from(values)).toEqual(rows.flat());
  });
});
