import '@cvae/tfjs-kernels';
import { readFileSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRandom } from '@cvae/dataset';
import { workspaceRoot } from '@cvae/formats';
import { shiftImages } from './augment';
import { classifierGradients } from './loss';
import { Classifier, ClassifierShapeError, classifierArchitecture } from './network';

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

describe('classifierArchitecture for any input shape and class count', () => {
  test('28×28×1 with 10 classes (the default) is the committed MNIST classifier\'s record, byte for byte', () => {
    const committed = JSON.parse(readFileSync(path.join(workspaceRoot(), 'classifiers', 'mnist', 'manifest.json'), 'utf8'));
    expect(JSON.stringify(classifierArchitecture([28, 28, 1], 10))).toBe(JSON.stringify(committed.architecture));
    expect(JSON.stringify(classifierArchitecture())).toBe(JSON.stringify(committed.architecture));
  });

  test('the same design on 32×32×3 with 3 classes: RGB kernels, a wider flatten, 3 logits', () => {
    const architecture = classifierArchitecture([32, 32, 3], 3);
    expect(architecture).toMatchObject({ inputShape: [32, 32, 3], classes: 3, featureLayer: 'classifier_features' });
    const classifier = Classifier.create({ seed: 1, architecture });
    const shapes = classifier.network.trainableWeights.map((w) => `${w.originalName}[${w.shape}]`);
    expect(shapes).toEqual([
      'classifier_conv1/kernel[5,5,3,32]', 'classifier_conv1/bias[32]',
      'classifier_conv2/kernel[5,5,32,64]', 'classifier_conv2/bias[64]',
      'classifier_features/kernel[4096,128]', 'classifier_features/bias[128]',
      'classifier_logits/kernel[128,3]', 'classifier_logits/bias[3]',
    ]);
    tf.tidy(() => {
      const { features, logits } = classifier.apply(tf.zeros([2, 32, 32, 3]) as tf.Tensor4D);
      expect([features.shape, logits.shape]).toEqual([[2, 128], [2, 3]]);
    });
    // An odd size rounds up at each stride-2 'same' conv: 13 → 7 → 4.
    const odd = Classifier.create({ seed: 1, architecture: classifierArchitecture([13, 13, 1], 4) });
    expect(odd.network.trainableWeights[4].shape).toEqual([4 * 4 * 64, 128]);
    [classifier, odd].forEach((c) => c.dispose());
  });

  test('a shape that is not [h, w, 1 or 3] or fewer than 2 classes is one line', () => {
    expect(() => classifierArchitecture([28, 28], 10)).toThrow(new ClassifierShapeError('classifier: input shape must be [height, width, channels] with channels 1 or 3, got [28, 28]'));
    expect(() => classifierArchitecture([28, 28, 2], 10)).toThrow('got [28, 28, 2]');
    expect(() => classifierArchitecture([0, 28, 1], 10)).toThrow('got [0, 28, 1]');
    expect(() => classifierArchitecture([28, 28, 1], 1)).toThrow('classifier: needs 2 to 256 classes, got 1');
    expect(() => classifierArchitecture([28, 28, 1], 257)).toThrow('got 257');
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

  test('an RGB pixel moves with its three channels, as each channel plane would move alone with the same draws', () => {
    const [height, width, count] = [5, 4, 6];
    const rgb = Float32Array.from({ length: count * height * width * 3 }, (_, i) => i + 1);
    const shifted = shiftImages(rgb, height, width, 2, new SeededRandom(9), 3);
    for (let c = 0; c < 3; c++) {
      const plane = rgb.filter((_, i) => i % 3 === c);
      const alone = shiftImages(plane, height, width, 2, new SeededRandom(9));
      expect(shifted.filter((_, i) => i % 3 === c)).toEqual(alone);
    }
    expect(shifted).not.toEqual(rgb);
  });

  test('any shift, up to wider than the image, is the pixel-by-pixel move (whatever the image\'s place in the batch)', () => {
    const [height, width, channels, maxShift] = [2, 3, 3, 8];
    /** The definition: out(y, x) = in(y − dy, x − dx), zero where that falls outside. */
    const moved = (image: Float32Array, dy: number, dx: number) =>
      image.map((_, i) => {
        const [y, x, c] = [Math.floor(i / (width * channels)), Math.floor(i / channels) % width, i % channels];
        const [sy, sx] = [y - dy, x - dx];
        return sy >= 0 && sy < height && sx >= 0 && sx < width ? image[(sy * width + sx) * channels + c] : 0;
      });
    let outside = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const image = Float32Array.from({ length: height * width * channels }, (_, i) => i + 1);
      const draws = new SeededRandom(seed);
      const [dy, dx] = [draws.uniform(), draws.uniform()].map((u) => Math.floor(u * (2 * maxShift + 1)) - maxShift);
      if (Math.abs(dx) >= width || Math.abs(dy) >= height) outside++;
      expect(shiftImages(image, height, width, maxShift, new SeededRandom(seed), channels)).toEqual(moved(image, dy, dx));
    }
    expect(outside).toBeGreaterThan(20);
  });

  test('the same seed draws the same shifts', () => {
    const twice = [new SeededRandom(3), new SeededRandom(3)].map((r) => shiftImages(Float32Array.from({ length: 4 * 9 }, (_, i) => i), 3, 3, 1, r));
    expect(twice[0]).toEqual(twice[1]);
  });
});
