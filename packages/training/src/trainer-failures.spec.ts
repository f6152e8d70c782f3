import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, iterateBatches, loadSplit } from '@cvae/dataset';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { CRASH_ENV, faultFromEnv, WorkerFailedError } from '@cvae/replicas';
import { createOptimizer } from './step';
import { ParallelTrainer, ParallelTrainerOptions } from './trainer';

const BACKEND = process.env.CVAE_TEST_BACKEND ?? 'wasm';
const BATCH = 16;

// Far above how long a failure may take to surface: these tests pass only if the failure is *noticed*
// (an 'error'/'exit' event, or the pool's own short step timeout), never by jest giving up.
jest.setTimeout(60_000);

describe('gradient worker failures', () => {
  const batches = [...iterateBatches(loadSplit('train', { limit: 4 * BATCH }), { batchSize: BATCH })];

  beforeAll(async () => {
    await initBackend(BACKEND);
  });

  /** Runs steps until one fails; returns that step's error, whether the failed step changed the weights, and the next step's error. */
  async function runUntilFailure(options: Omit<ParallelTrainerOptions, 'workers' | 'backend'>) {
    const model = CVAE.create({ latentDim: 2, seed: 1 });
    const optimizer = createOptimizer();
    const trainer = await ParallelTrainer.start(model, { workers: 2, backend: BACKEND, ...options });
    const step = (i: number) => trainer.step(optimizer, { images: batches[i].images, eps: new SeededRandom(i).normals(BATCH * 2) }, { kl: 'monte-carlo' });
    try {
      await step(0);
      const before = model.getWeightsSnapshot();
      const tensorsBefore = tf.memory().numTensors;
      const error = await step(1).then(() => undefined, (e: unknown) => e);
      const weightsChanged = model.getWeightsSnapshot().some((w, i) => w.values.some((v, j) => v !== before[i].values[j]));
      const later = await step(2).then(() => undefined, (e: unknown) => e);
      return { error, weightsChanged, leakedTensors: tf.memory().numTensors - tensorsBefore, later };
    } finally {
      await trainer.close();
      model.dispose();
      optimizer.dispose();
    }
  }

  it(`rejects the step naming the worker and its error when it throws (fault injected through ${CRASH_ENV}), and stays failed`, async () => {
    process.env[CRASH_ENV] = '2';
    let outcome;
    try {
      outcome = await runUntilFailure({});
    } finally {
      delete process.env[CRASH_ENV];
    }
    expect(outcome.error).toBeInstanceOf(WorkerFailedError);
    expect((outcome.error as Error).message).toBe('worker 1 crashed: injected fault in worker 1 at request 2');
    expect(outcome.weightsChanged).toBe(false);
    expect(outcome.leakedTensors).toBe(0);
    expect(outcome.later).toBe(outcome.error);
  });

  it('rejects the step when a worker exits', async () => {
    const outcome = await runUntilFailure({ faults: { 1: { atStep: 2, kind: 'exit' } } });
    expect((outcome.error as Error).message).toBe('worker 1 exited unexpectedly with code 3');
    expect(outcome.weightsChanged).toBe(false);
  });

  it('rejects the step when a worker stops answering, after the step timeout', async () => {
    const started = performance.now();
    const outcome = await runUntilFailure({ stepTimeoutMs: 1500, faults: { 1: { atStep: 2, kind: 'hang' } } });
    expect((outcome.error as Error).message).toBe('worker 1 did not answer request 2 within 1.5 s');
    expect(outcome.weightsChanged).toBe(false);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('fails to start with the worker\'s own reason when its backend cannot be initialised', async () => {
    const model = CVAE.create({ latentDim: 2, seed: 1 });
    try {
      const start = ParallelTrainer.start(model, { workers: 2, backend: 'no-such-backend' });
      await expect(start).rejects.toThrow(/^worker 1 failed to start: .*unknown backend "no-such-backend"/);
    } finally {
      model.dispose();
    }
  });

  it('parses the crash env var strictly', () => {
    expect(faultFromEnv(undefined)).toBeUndefined();
    expect(faultFromEnv('3')).toEqual({ atStep: 3, kind: 'throw' });
    expect(faultFromEnv('4:exit')).toEqual({ atStep: 4, kind: 'exit' });
    expect(() => faultFromEnv('soon')).toThrow(CRASH_ENV);
  });
});
