import * as tf from '@tensorflow/tfjs-core';
import { Batch, SeededRandom, iterateBatches, loadSplit } from '@cvae/dataset';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { Replicas, flattenTensors, shardRanges } from '@cvae/replicas';
import { runSeeds } from './config';
import { evaluateTestSet } from './evaluate';
import { computeGradients, computeShardGradients, createOptimizer, DEFAULT_LEARNING_RATE, trainStep } from './step';
import { ParallelTrainer } from './trainer';

// wasm by default: the cpu backend takes seconds per batch, too slow for 40 steps here.
const BACKEND = process.env.CVAE_TEST_BACKEND ?? 'wasm';
const SEED = 7;
const BATCH = 64;
const PIXELS = 28 * 28;

jest.setTimeout(180_000);

describe('data-parallel training on worker threads', () => {
  const set = loadSplit('train', { limit: 20 * BATCH });
  const batches = [...iterateBatches(set, { batchSize: BATCH, seed: runSeeds.shuffle(SEED, 1) })];
  const epsFor = (step: number) => new SeededRandom(runSeeds.stepEps(SEED, 1, step)).normals(BATCH * 2);

  beforeAll(async () => {
    await initBackend(BACKEND);
  });

  it('sums scaled shard gradients (one computed in a worker) to the full-batch gradient', async () => {
    const model = CVAE.create({ latentDim: 2, seed: runSeeds.init(SEED) });
    const trainer = await ParallelTrainer.start(model, { workers: 2, backend: BACKEND });
    try {
      const { images } = batches[0];
      const eps = epsFor(0);
      const [own, other] = shardRanges(BATCH, 2);
      const { local, remote } = await trainer.replicas.sharded<ReturnType<typeof computeShardGradients>, { loss: number; grads: Float32Array }>({
        task: 'gradient',
        shards: 2,
        local: () => {
          const [ownX, ownEps] = [tf.tensor4d(images.subarray(0, own.size * PIXELS), [own.size, 28, 28, 1]), tf.tensor2d(eps.subarray(0, own.size * 2), [own.size, 2])];
          const gradients = computeShardGradients(model, ownX, ownEps, BATCH, { kl: 'monte-carlo' });
          tf.dispose([ownX, ownEps]);
          return gradients;
        },
        remote: () => ({ payload: { images: images.slice(other.start * PIXELS), eps: eps.slice(other.start * 2), shardSize: other.size, batchSize: BATCH, loss: { kl: 'monte-carlo' } } }),
      });
      const [x, fullEps] = [tf.tensor4d(images, [BATCH, 28, 28, 1]), tf.tensor2d(eps, [BATCH, 2])];
      const full = computeGradients(model, x, fullEps);
      tf.dispose([x, fullEps]);
      const summed = flattenTensors(local.grads);
      const fromWorker = remote[0].result;
      summed.forEach((_, i) => (summed[i] += fromWorker.grads[i]));
      const expected = flattenTensors(full.grads);
      const scale = maxAbs(expected);
      expect(maxAbsDifference(summed, expected)).toBeLessThan(1e-5 * scale);
      expect(local.loss + fromWorker.loss).toBeCloseTo(full.loss, 3);
      tf.dispose([...local.grads, ...full.grads]);
    } finally {
      await trainer.close();
      model.dispose();
    }
  });

  it('evaluates the test set on its worker threads with the numbers of one thread', async () => {
    const model = CVAE.create({ latentDim: 2, seed: runSeeds.init(SEED) });
    const trainer = await ParallelTrainer.start(model, { workers: 2, backend: BACKEND });
    const testSet = loadSplit('test', { limit: 1200 });
    try {
      await trainer.step(createOptimizer(), { images: batches[0].images, eps: epsFor(0) }, { kl: 'monte-carlo' });
      const chunksByWorkers: number[] = [];
      const onTwo = await evaluateTestSet(trainer.replicas, testSet, (done) => chunksByWorkers.push(done));
      const onOne = await evaluateTestSet(Replicas.create(model, { threads: 1 }), testSet);
      expect(onTwo.elbo).toBeCloseTo(onOne.elbo, 4);
      expect(onTwo.kl).toBeCloseTo(onOne.kl, 5);
      expect(chunksByWorkers[chunksByWorkers.length - 1]).toBe(1200);
    } finally {
      await trainer.close();
      model.dispose();
    }
  });

  it('a 2-thread run has the loss curve and final weights of the 1-thread run, with no tensor leaks', async () => {
    const single = trainSingleThread(batches, epsFor);
    const parallel = await trainParallel(batches, epsFor, 2);

    expect(parallel.losses).toHaveLength(20);
    parallel.losses.forEach((loss, step) => expect(Math.abs(loss - single.losses[step])).toBeLessThan(1e-4 * Math.abs(single.losses[step])));
    // The run must actually train, or equal curves would prove nothing.
    expect(single.losses[19]).toBeLessThan(single.losses[0]);
    // Adam moves a weight by about lr per step whatever the gradient's size, and turns float noise in a
    // near-zero gradient into a visible share of that step; so weights are compared against the
    // distance Adam could have moved them (20 steps · lr), not their magnitude. A missed, doubled or
    // wrongly-fed step differs by ~lr in many weights and fails this by far.
    const adamReach = batches.length * DEFAULT_LEARNING_RATE;
    single.weights.forEach((weights, i) => expect(maxAbsDifference(parallel.weights[i], weights)).toBeLessThan(0.01 * adamReach));
    // Step 1 creates Adam's slots; after that each step must release everything it allocates, on both sides.
    expect(new Set(parallel.mainTensorCounts.slice(1)).size).toBe(1);
    expect(new Set(parallel.workerTensorCounts).size).toBe(1);
  });

  it('with one thread is exactly trainStep', async () => {
    const single = trainSingleThread(batches.slice(0, 3), epsFor);
    const parallel = await trainParallel(batches.slice(0, 3), epsFor, 1);
    expect(parallel.losses).toEqual(single.losses);
    parallel.weights.forEach((weights, i) => expect(Array.from(weights)).toEqual(Array.from(single.weights[i])));
  });
});

function trainSingleThread(batches: Batch[], epsFor: (step: number) => Float32Array) {
  const model = CVAE.create({ latentDim: 2, seed: runSeeds.init(SEED) });
  const optimizer = createOptimizer();
  const losses = batches.map((batch, step) =>
    tf.tidy(() => trainStep(model, optimizer, tf.tensor4d(batch.images, batch.shape), tf.tensor2d(epsFor(step), [batch.labels.length, 2]))),
  );
  const weights = model.getWeightsSnapshot().map((w) => w.values);
  model.dispose();
  optimizer.dispose();
  return { losses, weights };
}

async function trainParallel(batches: Batch[], epsFor: (step: number) => Float32Array, workers: number) {
  const model = CVAE.create({ latentDim: 2, seed: runSeeds.init(SEED) });
  const optimizer = createOptimizer();
  const trainer = await ParallelTrainer.start(model, { workers, backend: BACKEND });
  const losses: number[] = [];
  const mainTensorCounts: number[] = [];
  const workerTensorCounts: number[] = [];
  try {
    for (const [step, batch] of batches.entries()) {
      losses.push(await trainer.step(optimizer, { images: batch.images, eps: epsFor(step) }, { kl: 'monte-carlo' }));
      mainTensorCounts.push(tf.memory().numTensors);
      workerTensorCounts.push(...trainer.lastWorkerTensorCounts);
    }
    return { losses, weights: model.getWeightsSnapshot().map((w) => w.values), mainTensorCounts, workerTensorCounts };
  } finally {
    await trainer.close();
    model.dispose();
    optimizer.dispose();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function maxAbs(values: Float32Array): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}
