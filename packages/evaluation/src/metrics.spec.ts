import * as tf from '@tensorflow/tfjs-core';
import { loadSplit } from '@cvae/dataset';
import { CVAE } from '@cvae/model';
import { CRASH_ENV, WorkerFailedError } from '@cvae/replicas';
import { initBackend } from '@cvae/tfjs-kernels';
import { evaluateModel, EvalProgress, Metrics } from './metrics';

// A small untrained model and 60 test images: these check the arithmetic, not the quality.
const set = loadSplit('test', { limit: 60 });
let model: CVAE;

beforeAll(async () => {
  await initBackend();
  model = CVAE.create({ latentDim: 2, seed: 7 });
});
afterAll(() => model.dispose());

describe('evaluateModel', () => {
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
    expect(one.iwae?.samples).toBe(16);
    expect(one.iwae?.mean).toBeGreaterThanOrEqual(one.elbo.mean);
    expect(two.iwae?.mean).toBe(one.iwae?.mean);
  });

  test('rejects an empty set', async () => {
    await expect(evaluateModel(model, loadSplit('test', { limit: 0 }))).rejects.toThrow(/empty/);
  });
});

describe('evaluateModel on worker threads', () => {
  // Far above a worker's start-up (~1-2 s from sources) and these few images.
  jest.setTimeout(60_000);
  // A missing IWAE becomes NaN, which equals nothing, so the comparison below fails.
  const numbers = (m: Metrics) => [m.elbo, m.kl, m.reconstructionMse, m.reconstructionCrossEntropy, m.iwae ?? { mean: NaN, standardError: NaN }].flatMap((e) => [e.mean, e.standardError]);

  test('2 threads give the numbers of 1 (same eps stream, chunk by chunk), report progress to the end and leak nothing', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const one = await evaluateModel(model, set, { batchSize: 8, seed: 3, iwSamples: 4, workers: 1 });
    const progress: EvalProgress[] = [];
    const two = await evaluateModel(model, set, { batchSize: 8, seed: 3, iwSamples: 4, workers: 2, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    numbers(two).forEach((value, i) => expect(value).toBeCloseTo(numbers(one)[i], 4));
    // A different seed must change the ELBO, or agreement above could come from ignoring eps.
    const otherSeed = await evaluateModel(model, set, { batchSize: 8, seed: 4, workers: 2 });
    expect(otherSeed.elbo.mean).not.toBeCloseTo(two.elbo.mean, 4);
    for (const phase of ['elbo', 'iwae']) {
      const done = progress.filter((p) => p.phase === phase).map((p) => p.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(done[done.length - 1]).toBe(60);
    }
  });

  test(`a worker that fails to start rejects the evaluation naming it and its reason, never hangs`, async () => {
    // A malformed fault spec makes the worker's start-up throw: deterministic, unlike a crash at a
    // request, which the main thread may never send if it finishes these few images first.
    process.env[CRASH_ENV] = 'bogus';
    try {
      const evaluation = evaluateModel(model, set, { batchSize: 8, workers: 2 });
      await expect(evaluation).rejects.toThrow(WorkerFailedError);
      await expect(evaluation).rejects.toThrow(`worker 1 failed to start: ${CRASH_ENV} must be`);
    } finally {
      delete process.env[CRASH_ENV];
    }
  });

  test('rejects a worker count that is not a positive integer', async () => {
    await expect(evaluateModel(model, set, { workers: 0 })).rejects.toThrow(/workers must be a positive integer/);
  });
});
