import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type ImageSet } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { CVAE } from './cvae';
import { drawScatter } from '@cvae/images';
import { renderLatentScatter } from './latent-scatter';
import { principalPlane, projectAllOntoPlane } from './latent-plane';

const SIDE = 28;

/** 1,001 seeded binary images: one more than an encode batch, so the batch boundary is crossed. */
function syntheticTestSet(count = 1001): ImageSet {
  const random = new SeededRandom(3);
  return {
    split: 'test',
    count,
    height: SIDE,
    width: SIDE,
    images: Float32Array.from({ length: count * SIDE * SIDE }, () => (random.uniform() < 0.3 ? 1 : 0)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    binarization: 0.5,
  };
}

/** The posterior means of all images in one encoder call. */
function meansInOneCall(model: CVAE, set: ImageSet, count: number): Float32Array {
  const mean = tf.tidy(() => model.encode(tf.tensor4d(set.images.subarray(0, count * SIDE * SIDE), [count, SIDE, SIDE, 1])).mean);
  const values = mean.dataSync() as Float32Array;
  mean.dispose();
  return values;
}

describe('renderLatentScatter', () => {
  let model: CVAE;
  beforeAll(async () => {
    await initBackend('cpu');
    model = CVAE.create({ latentDim: 2, seed: 5 });
  });
  afterAll(() => model.dispose());

  test('draws the posterior means of every image (across encode batches) and leaks no tensors', () => {
    const set = syntheticTestSet();
    const before = tf.memory().numTensors;
    const image = renderLatentScatter(model, set);
    expect(tf.memory().numTensors).toBe(before);
    expect(image.data).toEqual(drawScatter(meansInOneCall(model, set, set.count), set.labels).data);
  });

  test('plots only the first `count` images when asked', () => {
    const set = syntheticTestSet();
    expect(renderLatentScatter(model, set, 50).data).toEqual(drawScatter(meansInOneCall(model, set, 50), set.labels.subarray(0, 50)).data);
  });

  test('draws a latent-8 model in the plane of the means\' first two principal components (pc1, pc2)', () => {
    const wide = CVAE.create({ latentDim: 8, seed: 5 });
    try {
      const set = syntheticTestSet(300);
      const means = meansInOneCall(wide, set, 300);
      const expected = drawScatter(projectAllOntoPlane(principalPlane(means, 8), means), set.labels, { axisLabels: ['pc1', 'pc2'] });
      const image = renderLatentScatter(wide, set);
      expect(image.data).toEqual(expected.data);
      const firstTwoDims = Float32Array.from({ length: 600 }, (_, i) => means[Math.floor(i / 2) * 8 + (i % 2)]);
      expect(image.data).not.toEqual(drawScatter(firstTwoDims, set.labels, { axisLabels: ['pc1', 'pc2'] }).data);
    } finally {
      wide.dispose();
    }
  });
});
