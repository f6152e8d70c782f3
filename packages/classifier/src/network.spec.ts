import '@cvae/tfjs-kernels';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRandom } from '@cvae/dataset';
import { shiftImages } from './augment';
import { classifierGradients } from './loss';
import { Classifier, classifierArchitecture } from './network';

const BATCH = 6;

function batch(seed: number): { images: Float32Array; labels: Uint8Array } {
  const random = new SeededRandom(seed);
  const images = Float32Array.from({ length: BATCH * 784 }, () => (random.uniform() > 0.8 ? 1 : 0));
  const labels = Uint8Array.from({ length: BATCH }, (_, i) => i % 10);
  return { images, labels };
}

/** The stock path: the whole network's own apply (tfjs-layers' dense layers and matMul gradients). */
function stockGradients(classifier: Classifier, images: Float32Array, labels: Uint8Array): Float32Array[] {
  const variables = classifier.trainableVariables();
  return tf.tidy(() => {
    const x = tf.tensor4d(images, [labels.length, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), 10);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, classifier.network.apply(x) as tf.Tensor) as tf.Scalar, variables);
    return variables.map((v) => grads[v.name].dataSync() as Float32Array);
  });
}

describe.each(['cpu', 'wasm'])('the classifier on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test('the same seed gives the same weights; another seed other weights', () => {
    const [a, b, c] = [Classifier.create({ seed: 3 }), Classifier.create({ seed: 3 }), Classifier.create({ seed: 4 })];
    expect(a.getFlatWeights()).toEqual(b.getFlatWeights());
    expect(a.getFlatWeights()).not.toEqual(c.getFlatWeights());
    expect(a.parameterCount()).toBe(a.getFlatWeights().length);
    [a, b, c].forEach((m) => m.dispose());
  });

  test('apply gives 128 features and 10 logits per image, and the logits are the network output', () => {
    const classifier = Classifier.create({ seed: 1 });
    const { images } = batch(1);
    tf.tidy(() => {
      const x = tf.tensor4d(images, [BATCH, 28, 28, 1]);
      const { features, logits } = classifier.apply(x);
      expect(features.shape).toEqual([BATCH, 128]);
      expect(logits.shape).toEqual([BATCH, 10]);
      const stock = classifier.network.apply(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(stock, logits))).dataSync()[0]).toBeLessThan(1e-5);
    });
    classifier.dispose();
  });

  test("the dense layers' explicit-transpose gradient equals tfjs's own gradient for every weight", () => {
    const classifier = Classifier.create({ seed: 2 });
    const { images, labels } = batch(2);
    const stock = stockGradients(classifier, images, labels);
    const ours = classifierGradients(classifier, images, labels, 1);
    const oursValues = ours.grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose(ours.grads);
    expect(oursValues.length).toBe(stock.length);
    stock.forEach((expected, i) => {
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = expected.reduce((m, v, j) => Math.max(m, Math.abs(v - oursValues[i][j])), 0);
      expect(scale).toBeGreaterThan(0);
      expect(worst / scale).toBeLessThan(1e-4);
    });
    classifier.dispose();
  });

  test('fromNetwork refuses a network that is not the architecture', () => {
    const other = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10 })] });
    expect(() => Classifier.fromNetwork(other, classifierArchitecture())).toThrow(/do not match the architecture/);
    other.dispose();
  });
});

describe('shiftImages', () => {
  const image = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 3×3: 1..9

  test('maxShift 0 is the identity', () => {
    expect(shiftImages(image, 3, 3, 0, new SeededRandom(1))).toEqual(image);
  });

  test('every output is the input moved by whole pixels, with zeros where nothing moved in', () => {
    const shifted = new Set<string>();
    const random = new SeededRandom(7);
    for (let i = 0; i < 200; i++) shifted.add(Array.from(shiftImages(image, 3, 3, 1, random)).join(','));
    // 3 × 3 shifts in {−1, 0, 1}², each drawn at least once in 200 tries; e.g. down-right by one:
    expect(shifted.size).toBe(9);
    expect(shifted).toContain('0,0,0,0,1,2,0,4,5');
    expect(shifted).toContain('5,6,0,8,9,0,0,0,0');
  });

  test('the same seed draws the same shifts', () => {
    const twice = [new SeededRandom(3), new SeededRandom(3)].map((r) => shiftImages(Float32Array.from({ length: 4 * 9 }, (_, i) => i), 3, 3, 1, r));
    expect(twice[0]).toEqual(twice[1]);
  });
});
