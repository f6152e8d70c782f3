import * as tf from '@tensorflow/tfjs-core';
import { loadSplit } from '@cvae/dataset';
import { CVAE, elboPerExample, initBackend } from '@cvae/model';
import { batchMetrics, estimate, evaluateModel, EvalProgress } from './metrics';

// A small untrained model and 60 test images: these check the arithmetic, not the quality.
const set = loadSplit('test', { limit: 60 });
let model: CVAE;

beforeAll(async () => {
  await initBackend();
  model = CVAE.create({ latentDim: 2, seed: 7 });
});
afterAll(() => model.dispose());

describe('evaluateModel', () => {
  test('its ELBO is exactly the training estimator elboPerExample (monte-carlo)', () => {
    const x = tf.tensor4d(set.images.subarray(0, 8 * 784), [8, 28, 28, 1]);
    const eps = tf.randomNormal<tf.Rank.R2>([8, 2], 0, 1, 'float32', 3);
    const [ours] = batchMetrics(model, x, eps);
    const reference = elboPerExample(model, x, eps);
    expect(Array.from(ours.dataSync()).map((v, i) => v - reference.dataSync()[i]).every((d) => Math.abs(d) < 1e-3)).toBe(true);
    tf.dispose([x, eps, ours, reference]);
  });

  test('does not depend on the batch size, and reports progress with an ETA', async () => {
    const progress: EvalProgress[] = [];
    const a = await evaluateModel(model, set, { batchSize: 7, seed: 5, onProgress: (p) => progress.push(p) });
    const b = await evaluateModel(model, set, { batchSize: 60, seed: 5 });
    expect(a.elbo.mean).toBeCloseTo(b.elbo.mean, 3);
    expect(a.kl.mean).toBeCloseTo(b.kl.mean, 5);
    expect(progress.map((p) => p.done)).toEqual([7, 14, 21, 28, 35, 42, 49, 56, 60]);
    expect(progress.every((p) => p.phase === 'elbo' && p.total === 60 && p.etaMs !== undefined)).toBe(true);
    expect(progress[progress.length - 1].etaMs).toBe(0);
  });

  test('metrics are in their valid ranges', async () => {
    const m = await evaluateModel(model, set);
    expect(m.images).toBe(60);
    expect(m.kl.mean).toBeGreaterThanOrEqual(0);
    expect(m.reconstructionMse.mean).toBeGreaterThan(0);
    expect(m.reconstructionMse.mean).toBeLessThan(1);
    expect(m.reconstructionCrossEntropy.mean).toBeGreaterThan(0);
    expect(m.elbo.mean).toBeLessThan(0);
    expect(m.elbo.standardError).toBeGreaterThan(0);
    expect(m.iwae).toBeUndefined();
  });

  test('the importance-weighted bound is at least the ELBO on average, and is reproducible', async () => {
    // A model whose posterior is not the prior, so the bound has something to tighten.
    const sharper = CVAE.create({ latentDim: 2, seed: 11 });
    const bias = sharper.encoder.getLayer('encoder_mean_logvar');
    bias.setWeights([bias.getWeights()[0], tf.tensor1d([0, 0, -2, -2])]);
    const one = await evaluateModel(sharper, set, { iwSamples: 16, seed: 1 });
    const two = await evaluateModel(sharper, set, { iwSamples: 16, seed: 1 });
    sharper.dispose();
    expect(one.iwae!.samples).toBe(16);
    expect(one.iwae!.mean).toBeGreaterThanOrEqual(one.elbo.mean);
    expect(two.iwae!.mean).toBe(one.iwae!.mean);
  });

  test('rejects an empty set', async () => {
    await expect(evaluateModel(model, loadSplit('test', { limit: 0 }))).rejects.toThrow(/empty/);
  });
});

describe('estimate', () => {
  test('mean and standard error (sample sd / √n)', () => {
    const e = estimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(e.standardError).toBeCloseTo(Math.sqrt(1.6666666666666667 / 4), 12);
    expect(estimate([5]).standardError).toBe(0);
  });
});
