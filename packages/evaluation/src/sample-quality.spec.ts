import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as tf from '@tensorflow/tfjs-core';
import { ImageSet, SeededRandom, loadSplit } from '@cvae/dataset';
import { CLASSIFIER_TASKS, Classifier, LoadedClassifier, classifierArchitecture, classifyOnThreads, loadClassifier, manifestFor, saveClassifier } from '@cvae/classifier';
import { ImageSetQuality, SUITE_FILE, SuiteSchema, readJsonFile } from '@cvae/formats';
import { CVAE, convRgbArchitecture } from '@cvae/model';
import { Replicas } from '@cvae/replicas';
import * as path from 'path';
import { fitGaussian } from './frechet';
import { LoadedForEvaluation, loadForEvaluation } from './load';
import { asClassifierSees, checkSampleQuality, classifierTestSet, qualityReference, sampleImagesFor, sampleQuality, setDistances, setQuality } from './sample-quality';
import { defaultSuiteDir } from './suite';
import { referenceClassifier } from './test-utils/classifier';
import { referenceCheckpoint } from './test-utils/reference';

/** The hand-set bounds the reference suite holds the reference to (measured numbers and reasons in the README). */
const SUITE_JSON = path.join(defaultSuiteDir(), SUITE_FILE);

const set = (overrides: Partial<ImageSetQuality>): ImageSetQuality => ({
  images: 10_000, fid: 5, classShares: new Array(10).fill(0.1), entropy: Math.log(10), minClassShare: 0.1, minClass: 0, meanConfidence: 0.95, ...overrides,
});

describe('checkSampleQuality', () => {
  const bounds = { samples: { maxFid: 10, minClassShare: 0.03, minEntropy: 2.2, minMeanConfidence: 0.9 }, reconstructions: { maxFid: 8 } };

  test('numbers within every bound pass; an absent bound is not checked', () => {
    expect(checkSampleQuality({ samples: set({}), reconstructions: set({ fid: 7.9, meanConfidence: 0.1 }) }, bounds)).toEqual([]);
  });

  test('each bound fails on its own with one line naming the set and the numbers', () => {
    const shares = [0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.002, 0.11, 0.118];
    expect(checkSampleQuality({ samples: set({ minClassShare: 0.002, minClass: 7, classShares: shares }), reconstructions: set({}) }, bounds)).toEqual([
      'prior samples: class 7 has 0.2% of 10000 images < 3.0% (shares 11.0% 11.0% 11.0% 11.0% 11.0% 11.0% 11.0% 0.2% 11.0% 11.8%)',
    ]);
    expect(checkSampleQuality({ samples: set({ fid: 12.345 }), reconstructions: set({ fid: 9 }) }, bounds)).toEqual(['prior samples: FID 12.35 > 10', 'reconstructions: FID 9 > 8']);
    expect(checkSampleQuality({ samples: set({ entropy: 1.5 }), reconstructions: set({}) }, bounds)).toEqual(['prior samples: class entropy 1.5 nats < 2.2']);
    expect(checkSampleQuality({ samples: set({ meanConfidence: 0.5 }), reconstructions: set({}) }, bounds)).toEqual(['prior samples: mean classifier confidence 0.5 < 0.9']);
    expect(checkSampleQuality({ samples: set({ fid: NaN }), reconstructions: set({}) }, bounds)).toHaveLength(1);
  });

  test('KID, density and coverage bounds apply only when set, and a result without the number fails them', () => {
    const distances = { samples: { maxKid: 0.05, minDensity: 0.5, minCoverage: 0.8 } };
    const good = set({ kid: 0.01, density: 0.9, coverage: 0.85 });
    expect(checkSampleQuality({ samples: good, reconstructions: set({}) }, distances)).toEqual([]);
    expect(checkSampleQuality({ samples: good, reconstructions: set({}) }, bounds)).toEqual([]);
    expect(checkSampleQuality({ samples: set({ kid: 0.0612, density: 0.3, coverage: 0.5 }), reconstructions: set({}) }, distances)).toEqual([
      'prior samples: KID 0.0612 > 0.05', 'prior samples: density 0.3 < 0.5', 'prior samples: coverage 0.5 < 0.8',
    ]);
    expect(checkSampleQuality({ samples: set({}), reconstructions: set({}) }, distances)).toEqual([
      'prior samples: KID not measured > 0.05', 'prior samples: density not measured < 0.5', 'prior samples: coverage not measured < 0.8',
    ]);
  });
});

describe('sample quality with the committed classifier', () => {
  let classifier: LoadedClassifier;
  let reference: LoadedForEvaluation;
  const bounds = async () => {
    const quality = (await readJsonFile(SuiteSchema, SUITE_JSON)).quality;
    if (quality === undefined) throw new Error(`${SUITE_JSON} has no quality gate`);
    return quality.bounds;
  };

  beforeAll(async () => {
    reference = await loadForEvaluation({ checkpoint: referenceCheckpoint(), backend: 'wasm' });
    classifier = await loadClassifier(referenceClassifier());
  }, 60_000);
  afterAll(() => {
    reference?.model.dispose();
    classifier?.classifier.dispose();
  });

  /** Classifier values of given images on two threads, as a sampler's output would be. */
  async function valuesOf(images: Float32Array) {
    const replicas = Replicas.create(reference.model, { threads: 2, tasks: CLASSIFIER_TASKS });
    try {
      return await classifyOnThreads(replicas, { classifier: classifier.classifier, weightsKey: classifier.ref.weights }, { kind: 'images', images }, { sampleImages: 'probabilities' });
    } finally {
      await replicas.close();
    }
  }

  test('a sampler that lost a class fails the coverage bound naming the class; one drawing every class passes it', async () => {
    // Synthetic samplers over real images: MNIST training digits, once with every 7 left out.
    const train = loadSplit('train', { limit: 12_000 });
    const keep = (label: number) => label !== 7;
    const pixels = 28 * 28;
    const without7 = new Float32Array(train.labels.filter(keep).length * pixels);
    let row = 0;
    train.labels.forEach((label, i) => keep(label) && without7.set(train.images.subarray(i * pixels, (i + 1) * pixels), pixels * row++));
    const test = classifierTestSet(classifier);
    const dim = classifier.classifier.featureDim;
    const [testValues, fullValues, lostValues] = [await valuesOf(test.images), await valuesOf(train.images), await valuesOf(without7)];
    const referenceFit = fitGaussian(testValues.features, dim);
    const [full, lost] = [setQuality(fullValues, referenceFit, dim, 10), setQuality(lostValues, referenceFit, dim, 10)];
    const samplesBounds = { samples: (await bounds()).samples };
    expect(checkSampleQuality({ samples: full, reconstructions: full }, samplesBounds)).toEqual([]);
    const violations = checkSampleQuality({ samples: lost, reconstructions: full }, samplesBounds);
    expect(violations.find((v) => v.startsWith('prior samples: class 7 has'))).toBeDefined();
    expect(lost.classShares[7]).toBeLessThan(0.005);
    expect(lost.fid).toBeGreaterThan(full.fid);
    // KID and coverage see the lost class too, from the same features.
    const reference = qualityReference(testValues.features, dim);
    const [fullDistances, lostDistances] = [setDistances(fullValues.features, reference, 1), setDistances(lostValues.features, reference, 1)];
    expect(lostDistances.kid).toBeGreaterThan(fullDistances.kid ?? Infinity);
    expect(lostDistances.coverage).toBeLessThan(fullDistances.coverage ?? -Infinity);
  }, 180_000);

  test('the numbers do not depend on the number of threads', async () => {
    const testSet = loadSplit('test', { limit: 1200 });
    const options = { samples: 1200, seed: 5, testSet };
    const [one, two] = [await sampleQuality(reference.model, classifier, { ...options, workers: 1 }), await sampleQuality(reference.model, classifier, { ...options, workers: 2 })];
    const untimed = (q: typeof one) => ({ ...q, elapsedMs: 0, phaseMs: { testSet: 0, samples: 0, reconstructions: 0 } });
    expect(untimed(two)).toEqual(untimed(one));
    // And the seed matters: another seed draws other samples.
    const other = await sampleQuality(reference.model, classifier, { ...options, seed: 6, workers: 2 });
    expect(other.samples.fid).not.toBe(one.samples.fid);
  }, 300_000);
});


/** `count` RGB images of one bright square on a dark ground, its colour the class (0 red, 1 green, 2 blue), as 8-bit levels / 255. */
function colourSquares(count: number, seed: number): ImageSet {
  const random = new SeededRandom(seed);
  const side = 32;
  const images = new Float32Array(count * side * side * 3);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  labels.forEach((label, n) => {
    const [top, left] = [Math.floor(random.uniform() * 20), Math.floor(random.uniform() * 20)];
    for (let y = top; y < top + 10; y++) for (let x = left; x < left + 10; x++) images[((n * side + y) * side + x) * 3 + label] = 200 / 255;
  });
  return { split: 'test', count, height: side, width: side, channels: 3, images, labels, binarization: 'none', classes: ['red', 'green', 'blue'] };
}

describe('sample quality of an RGB model with a classifier of its shape', () => {
  const squares = colourSquares(60, 1);
  let rgbModel: CVAE;
  let rgbClassifier: LoadedClassifier;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    rgbModel = CVAE.create({ architecture: convRgbArchitecture(32, 4), seed: 1 });
    const fresh = Classifier.create({ seed: 3, architecture: classifierArchitecture([32, 32, 3], 3) });
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvae-rgb-quality-')), 'squares');
    const trained = { classifier: fresh, config: { seed: 3, epochs: 1, batchSize: 8, learningRate: 1e-3, lrDecay: 1, maxShift: 0, workers: 1 }, backend: 'wasm', tfjsVersion: tf.version_core, history: [], testAccuracy: 0.5, elapsedMs: 1 };
    await saveClassifier(dir, fresh, manifestFor(trained, { train: squares, test: squares, command: 'test' }));
    fresh.dispose();
    rgbClassifier = await loadClassifier(dir);
  }, 60_000);
  afterAll(() => {
    rgbModel?.dispose();
    rgbClassifier?.classifier.dispose();
  });

  test("measures on 2 threads: class coverage over the classifier's 3 classes, decoded means shown as they are", async () => {
    const quality = await sampleQuality(rgbModel, rgbClassifier, { samples: 600, seed: 2, workers: 2, testSet: squares, backend: 'wasm' });
    expect(quality.sampleImages).toBe('probabilities');
    for (const set of [quality.samples, quality.reconstructions]) {
      expect(set.classShares).toHaveLength(3);
      expect(set.classShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(set.entropy).toBeLessThanOrEqual(Math.log(3) + 1e-12);
      expect(set.minClass).toBeLessThan(3);
      expect(Number.isFinite(set.fid)).toBe(true);
    }
    expect([quality.samples.images, quality.reconstructions.images, quality.testImages]).toEqual([600, 60, 60]);
  }, 180_000);

  test('the MNIST classifier cannot judge 32×32×3 samples: one line naming both shapes, before any thread starts', async () => {
    const mnist = await loadClassifier(referenceClassifier());
    try {
      await expect(sampleQuality(rgbModel, mnist, { samples: 10, testSet: squares })).rejects.toThrow(
        `classifier ${mnist.ref.path} takes 28×28×1 images, but the model's are 32×32×3 (a classifier judges only images of its own shape)`,
      );
    } finally {
      mnist.classifier.dispose();
    }
  });
});

describe('what the classifier is shown', () => {
  const fakeLoaded = (binarization: 0.5 | 'none') => ({ manifest: { binarization }, ref: { path: 'classifiers/x' } }) as unknown as LoadedClassifier;

  test('decoded images are binarized for a classifier of binarized data, as they are for one of levels', () => {
    expect(sampleImagesFor({ binarization: 0.5 })).toBe('binarized');
    expect(sampleImagesFor({ binarization: 'none' })).toBe('probabilities');
  });

  test("test images of 8-bit levels are binarized exactly as the dataset binarizes them; binarized ones cannot become levels", () => {
    const [levels, binarized] = [loadSplit('test', { limit: 50, binarization: 'none' }), loadSplit('test', { limit: 50 })];
    expect(asClassifierSees(levels, fakeLoaded(0.5))).toEqual(binarized.images);
    expect(asClassifierSees(levels, fakeLoaded('none'))).toBe(levels.images);
    expect(asClassifierSees(binarized, fakeLoaded(0.5))).toBe(binarized.images);
    expect(() => asClassifierSees(binarized, fakeLoaded('none'))).toThrow('classifier classifiers/x was trained on images of 8-bit levels (binarization none), but the test images are binarized at 0.5');
  });
});
