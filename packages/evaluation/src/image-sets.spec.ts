import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type ImageSet } from '@cvae/dataset';
import { tileGrid } from '@cvae/images';
import { CVAE, latentMeans, pointOnPlane, principalPlane } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { MANIFOLD_QUANTILES, renderImageSet, renderManifold } from './image-sets';
import { inverseNormalCdf, linspace } from './inverse-normal';

const SIDE = 28;

function syntheticTestSet(count: number): ImageSet {
  const random = new SeededRandom(4);
  const images = Float32Array.from({ length: count * SIDE * SIDE }, () => (random.uniform() < 0.3 ? 1 : 0));
  return { split: 'test', count, height: SIDE, width: SIDE, images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), binarization: 0.5 };
}

function decodeGrid(model: CVAE, z: Float32Array, n: number) {
  const probabilities = tf.tidy(() => model.sample(tf.tensor2d(z, [n * n, model.latentDim])).dataSync() as Float32Array);
  return tileGrid(probabilities, { rows: n, cols: n, tileHeight: SIDE, tileWidth: SIDE });
}

const quantiles = (n: number) => linspace(MANIFOLD_QUANTILES.first, MANIFOLD_QUANTILES.last, n).map(inverseNormalCdf);

describe('the manifold image set', () => {
  beforeAll(() => initBackend('cpu'));

  it('of a 2-D model is the quantile grid of (z0, z1) exactly as before planes existed (the committed golden)', () => {
    const model = CVAE.create({ latentDim: 2, seed: 3 });
    try {
      const q = quantiles(5);
      const legacy = new Float32Array(5 * 5 * 2);
      for (let row = 0; row < 5; row++) for (let col = 0; col < 5; col++) legacy.set([q[col], q[row]], 2 * (row * 5 + col));
      expect(renderManifold(model, 5).data).toEqual(decodeGrid(model, legacy, 5).data);
    } finally {
      model.dispose();
    }
  });

  it('of a latent-8 model spans the principal plane of the first `count` test means, other directions at 0', () => {
    const model = CVAE.create({ latentDim: 8, seed: 3 });
    try {
      const set = syntheticTestSet(200);
      const plane = principalPlane(latentMeans(model, set, 150), 8);
      const q = quantiles(4);
      const z = new Float32Array(4 * 4 * 8);
      for (let row = 0; row < 4; row++) for (let col = 0; col < 4; col++) z.set(pointOnPlane(plane, q[col], q[row]), 8 * (row * 4 + col));
      const image = renderImageSet(model, { kind: 'manifold', seed: 0, grid: 4, count: 150 }, set);
      expect(image.data).toEqual(decodeGrid(model, z, 4).data);
      expect(image.data).not.toEqual(renderImageSet(model, { kind: 'manifold', seed: 0, grid: 4, count: 200 }, set).data);
    } finally {
      model.dispose();
    }
  });

  it('refuses a 1-D model in one line', () => {
    const model = CVAE.create({ latentDim: 1, seed: 3 });
    try {
      expect(() => renderManifold(model, 3)).toThrow('manifold needs a latent space of 2 or more dimensions, this model has 1');
    } finally {
      model.dispose();
    }
  });
});
