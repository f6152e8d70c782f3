import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '@cvae/dataset';
import { tutorialArchitecture } from './architecture';
import { CVAE } from './cvae';

/** Binarized random images, reproducible through the seed. */
function binaryImages(batch: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed), 0.5), 'float32') as tf.Tensor4D);
}

/** Counted by hand from the layer list (kernel + bias per layer), not from tfjs. */
function expectedParameterCount(latentDim: number): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
  const dense = (inputs: number, units: number) => inputs * units + units;
  // 28 → (28-3)/2+1 = 13 → (13-3)/2+1 = 6 with 'valid' padding, stride 2.
  const encoder = conv(3, 1, 32) + conv(3, 32, 64) + dense(6 * 6 * 64, 2 * latentDim);
  const decoder = dense(latentDim, 7 * 7 * 32) + conv(3, 32, 64) + conv(3, 64, 32) + conv(3, 32, 1);
  return encoder + decoder;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each([2, 8])('CVAE with latentDim %i', (latentDim) => {
  let model: CVAE;
  beforeAll(() => {
    model = CVAE.create({ latentDim, seed: 7 });
  });
  afterAll(() => model.dispose());

  it('encodes a batch into mean and logvar of shape [batch, latentDim]', () => {
    const x = binaryImages(3, 1);
    const { mean, logvar } = model.encode(x);
    expect(mean.shape).toEqual([3, latentDim]);
    expect(logvar.shape).toEqual([3, latentDim]);
    tf.dispose([x, mean, logvar]);
  });

  it('decodes latent points to 28x28x1 logits, and samples to probabilities in (0, 1)', () => {
    const z = tf.randomNormal<tf.Rank.R2>([4, latentDim], 0, 1, 'float32', 3);
    const logits = model.decode(z);
    const probabilities = model.sample(z);
    expect(logits.shape).toEqual([4, 28, 28, 1]);
    expect(probabilities.shape).toEqual([4, 28, 28, 1]);
    const p = probabilities.dataSync();
    expect(Math.min(...p)).toBeGreaterThan(0);
    expect(Math.max(...p)).toBeLessThan(1);
    const expected = tf.sigmoid(logits);
    expect(Array.from(p)).toEqual(Array.from(expected.dataSync()));
    tf.dispose([z, logits, probabilities, expected]);
  });

  it('has the hand-counted number of parameters', () => {
    expect(model.parameterCount()).toBe(expectedParameterCount(latentDim));
  });

  it('lists 14 trainable variables, encoder then decoder, kernel before bias', () => {
    const variables = model.trainableVariables();
    expect(variables).toHaveLength(14);
    expect(variables.every((v) => v instanceof tf.Variable && v.trainable)).toBe(true);
    expect(variables.reduce((n, v) => n + v.size, 0)).toBe(expectedParameterCount(latentDim));
    expect(variables[0].shape).toEqual([3, 3, 1, 32]);
    expect(variables[5].shape).toEqual([2 * latentDim]);
    expect(variables[6].shape).toEqual([latentDim, 7 * 7 * 32]);
    expect(variables[13].shape).toEqual([1]);
  });
});

describe('CVAE', () => {
  it('gives identical initial weights for the same seed and different ones for another seed', () => {
    const [a, b, c] = [CVAE.create({ seed: 42 }), CVAE.create({ seed: 42 }), CVAE.create({ seed: 43 })];
    const [wa, wb, wc] = [a, b, c].map((m) => m.getWeightsSnapshot());
    wa.forEach((entry, i) => expect(Array.from(wb[i].values)).toEqual(Array.from(entry.values)));
    const kernels = wa.filter((entry) => entry.name.endsWith('/kernel'));
    expect(kernels).toHaveLength(7);
    kernels.forEach((entry) => {
      const other = wc.find((e) => e.name === entry.name);
      expect(other?.values.length).toBe(entry.values.length);
      expect(Array.from(other?.values ?? [])).not.toEqual(Array.from(entry.values));
    });
    [a, b, c].forEach((m) => m.dispose());
  });

  it('initialises biases to zero and kernels within the glorot-uniform limit', () => {
    const model = CVAE.create({ seed: 1 });
    for (const { name, shape, values } of model.getWeightsSnapshot()) {
      if (name.endsWith('/bias')) {
        expect(values.every((v) => v === 0)).toBe(true);
        continue;
      }
      const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
      const [fanA, fanB] = shape.length === 4 ? [shape[2] * receptive, shape[3] * receptive] : [shape[0], shape[1]];
      const limit = Math.sqrt(6 / (fanA + fanB));
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(limit * 0.9);
    }
    model.dispose();
  });

  it('derives distinct per-layer seeds from one seed', () => {
    const layerNames = [...tutorialArchitecture(2).encoder, ...tutorialArchitecture(2).decoder].map((l) => l.name);
    expect(new Set(layerNames.map((name) => deriveSeed(5, name))).size).toBe(layerNames.length);
    expect(deriveSeed(5, 'decoder_dense')).toBe(deriveSeed(5, 'decoder_dense'));
    expect(deriveSeed(5, 'decoder_dense')).not.toBe(deriveSeed(6, 'decoder_dense'));
  });

  it('reparameterizes as mean + exp(logvar / 2) * eps', () => {
    const model = CVAE.create({ seed: 1 });
    const mean = tf.tensor2d([[0.5, -1]]);
    const logvar = tf.tensor2d([[0, Math.log(4)]]);
    const eps = tf.tensor2d([[2, 3]]);
    const z = model.reparameterize(mean, logvar, eps);
    const values = Array.from(z.dataSync());
    expect(values[0]).toBeCloseTo(0.5 + 1 * 2, 5);
    expect(values[1]).toBeCloseTo(-1 + 2 * 3, 5);
    tf.dispose([mean, logvar, eps, z]);
    model.dispose();
  });

  it('restores a weight snapshot so two models compute the same function', () => {
    const [source, target] = [CVAE.create({ seed: 1 }), CVAE.create({ seed: 2 })];
    const z = tf.randomNormal<tf.Rank.R2>([2, 2], 0, 1, 'float32', 9);
    target.setWeights(source.getWeightsSnapshot());
    const [expected, actual] = [source.decode(z), target.decode(z)];
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([z, expected, actual]);
    [source, target].forEach((m) => m.dispose());
  });

  it('rejects inputs of the wrong shape with a one-line message', () => {
    const model = CVAE.create({ latentDim: 2, seed: 1 });
    const z = tf.zeros<tf.Rank.R2>([1, 3]);
    const images = tf.zeros<tf.Rank.R4>([1, 32, 32, 1]);
    expect(() => model.decode(z)).toThrow('CVAE: decode input has shape [1,3], expected [batch,2]');
    expect(() => model.encode(images)).toThrow('CVAE: encode input has shape [1,32,32,1], expected [batch,28,28,1]');
    tf.dispose([z, images]);
    model.dispose();
  });

  it('does not leak tensors from encode/reparameterize/decode', () => {
    const model = CVAE.create({ seed: 1 });
    const x = binaryImages(2, 4);
    const eps = tf.randomNormal<tf.Rank.R2>([2, 2], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const { mean, logvar } = model.encode(x);
    const z = model.reparameterize(mean, logvar, eps);
    const logits = model.decode(z);
    tf.dispose([mean, logvar, z, logits]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, eps]);
    model.dispose();
  });
});
