import * as tf from '@tensorflow/tfjs-core';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { SeededRandom, iterateBatches, loadSplit } from '@cvae/dataset';
import { applyGradients, computeGradients, createOptimizer, NonFiniteLossError, trainStep } from './step';
import { TEST_BACKEND } from './test-utils/tmp-dir';

describe('trainStep', () => {
  const set = loadSplit('train', { limit: 8 * 100 });

  beforeAll(async () => {
    await initBackend(TEST_BACKEND);
  });

  function firstBatch(batchSize: number, seed: number) {
    const { value } = iterateBatches(set, { batchSize, seed }).next();
    if (!value) throw new Error('no batch');
    return value;
  }

  function batchTensors(images: Float32Array, n: number, seed: number) {
    return { x: tf.tensor4d(images, [n, 28, 28, 1]), eps: tf.tensor2d(new SeededRandom(seed).normals(n * 2), [n, 2]) };
  }

  it('keeps the tensor count constant between step 1 and step 500 (no leaks)', () => {
    const model = CVAE.create({ latentDim: 2, seed: 3 });
    const optimizer = createOptimizer();
    const counts: number[] = [];
    let step = 0;
    for (let epoch = 1; epoch <= 5; epoch++) {
      for (const batch of iterateBatches(set, { batchSize: 8, seed: epoch })) {
        const { x, eps } = batchTensors(batch.images, batch.labels.length, step);
        trainStep(model, optimizer, x, eps);
        tf.dispose([x, eps]);
        step += 1;
        counts.push(tf.memory().numTensors);
      }
    }
    expect(step).toBe(500);
    // Step 1 creates Adam's moment variables; from then on every step must release all it allocates.
    expect(counts[counts.length - 1]).toBe(counts[0]);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
    optimizer.dispose();
  });

  it('equals computeGradients followed by applyGradients, and lowers the loss on a repeated batch', () => {
    const batch = firstBatch(32, 2);
    const [a, b] = [CVAE.create({ latentDim: 2, seed: 5 }), CVAE.create({ latentDim: 2, seed: 5 })];
    const [optA, optB] = [createOptimizer(1e-3), createOptimizer(1e-3)];
    const { x, eps } = batchTensors(batch.images, 32, 9);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      losses.push(trainStep(a, optA, x, eps));
      const { loss, grads } = computeGradients(b, x, eps);
      applyGradients(optB, b, grads);
      tf.dispose(grads);
      expect(loss).toBe(losses[i]);
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    const [wa, wb] = [a.getWeightsSnapshot(), b.getWeightsSnapshot()];
    wa.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(wb[i].values)));
    tf.dispose([x, eps]);
    [a, b].forEach((m) => m.dispose());
    [optA, optB].forEach((o) => o.dispose());
  });

  it('lossScale scales loss and gradients, and applyGradients checks the gradient count', () => {
    const batch = firstBatch(8, 3);
    const { x, eps } = batchTensors(batch.images, 8, 4);
    const model = CVAE.create({ latentDim: 2, seed: 5 });
    const plain = computeGradients(model, x, eps);
    const quarter = computeGradients(model, x, eps, { lossScale: 0.25 });
    expect(quarter.loss).toBeCloseTo(plain.loss * 0.25, 3);
    quarter.grads.forEach((g, i) => {
      const expected = plain.grads[i].dataSync();
      g.dataSync().forEach((v, j) => expect(Math.abs(v - 0.25 * expected[j])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[j]))));
    });
    expect(() => applyGradients(createOptimizer(), model, plain.grads.slice(1))).toThrow(/got 13 gradients for 14 variables/);
    tf.dispose([...plain.grads, ...quarter.grads, x, eps]);
    model.dispose();
  });

  it('throws NonFiniteLossError on a NaN batch without touching the weights', () => {
    const model = CVAE.create({ latentDim: 2, seed: 5 });
    const optimizer = createOptimizer();
    const images = set.images.slice(0, 4 * 784);
    images[10] = NaN;
    const { x, eps } = batchTensors(images, 4, 1);
    const before = model.getWeightsSnapshot();
    const tensorsBefore = tf.memory().numTensors;
    expect(() => trainStep(model, optimizer, x, eps)).toThrow(NonFiniteLossError);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.getWeightsSnapshot().forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(before[i].values)));
    tf.dispose([x, eps]);
    model.dispose();
    optimizer.dispose();
  });
});
