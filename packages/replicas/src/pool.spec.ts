import * as path from 'path';
import { CVAE, tutorialArchitecture } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { ReplicaPool, WorkerFailedError } from './pool';
import { flatSize, flattenTensors } from './protocol';

const BACKEND = process.env.CVAE_TEST_BACKEND ?? 'wasm';
const TASK = path.join(__dirname, 'test-utils', 'weights-sum-task');

// Far above a worker's start-up from sources (~1-2 s); failures must be noticed, not timed out by jest.
jest.setTimeout(60_000);

describe('ReplicaPool', () => {
  let model: CVAE;
  let parameters: number;

  beforeAll(async () => {
    await initBackend(BACKEND);
    model = CVAE.create({ latentDim: 2, seed: 1 });
    parameters = flatSize(model.trainableVariables());
  });
  afterAll(() => model.dispose());

  const start = (options: Partial<Parameters<typeof ReplicaPool.start>[0]> = {}) =>
    ReplicaPool.start({ workers: 1, backend: BACKEND, architecture: tutorialArchitecture(2), seed: 1, tasks: { sum: TASK }, ...options }, parameters);

  it('runs the task on the weights broadcast with a request, and keeps them for later requests', async () => {
    const pool = await start({ seed: 2 });
    try {
      const weights = flattenTensors(model.trainableVariables());
      const expected = weights.reduce((sum, value) => sum + value, 0);
      const own = await pool.request<{ tag: string }, { weightSum: number }>(1, { task: 'sum', payload: { tag: 'own' } });
      const sent = await pool.request<{ tag: string }, { tag: string; weightSum: number }>(1, { task: 'sum', payload: { tag: 'sent' }, weights, transfer: [weights.buffer as ArrayBuffer] });
      const kept = await pool.request<{ tag: string }, { weightSum: number }>(1, { task: 'sum', payload: { tag: 'kept' } });
      // The replica starts from its own seed's weights, so the broadcast must be what changes the sum.
      expect(Math.abs(own.result.weightSum - expected)).toBeGreaterThan(1e-3);
      expect(sent.result).toEqual({ tag: 'sent', weightSum: expect.closeTo(expected, 2) });
      expect(kept.result.weightSum).toBe(sent.result.weightSum);
    } finally {
      await pool.close();
    }
  });

  it('answers requests sent before the previous one is answered, in order', async () => {
    const pool = await start();
    try {
      const tags = ['a', 'b', 'c'];
      const answers = await Promise.all(tags.map((tag) => pool.request<{ tag: string }, { tag: string }>(1, { task: 'sum', payload: { tag } })));
      expect(answers.map((a) => a.result.tag)).toEqual(tags);
    } finally {
      await pool.close();
    }
  });

  it('rejects every request in flight when the worker exits', async () => {
    const pool = await start({ faults: { 1: { atStep: 1, kind: 'exit' } } });
    try {
      const inFlight = [pool.request(1, { task: 'sum', payload: { tag: 'a' } }), pool.request(1, { task: 'sum', payload: { tag: 'b' } })];
      const settled = await Promise.allSettled(inFlight);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual(['worker 1 exited unexpectedly with code 3', 'worker 1 exited unexpectedly with code 3']);
    } finally {
      await pool.close();
    }
  });

  it('rejects with a WorkerFailedError naming the worker when it exits, and every later request at once', async () => {
    const pool = await start({ faults: { 1: { atStep: 1, kind: 'exit' } } });
    try {
      const error = await pool.request(1, { task: 'sum', payload: { tag: 'x' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerFailedError);
      expect((error as Error).message).toBe('worker 1 exited unexpectedly with code 3');
      await expect(pool.request(1, { task: 'sum', payload: { tag: 'y' } })).rejects.toBe(error);
    } finally {
      await pool.close();
    }
  });

  it('fails to start, naming the module, when the task module exports no runTask', async () => {
    await expect(start({ tasks: { sum: TASK, broken: path.join(__dirname, 'test-utils', 'not-a-task') } })).rejects.toThrow(/^worker 1 failed to start: task module .*not-a-task does not export a function runTask$/);
  });

  it('refuses requests after close, and closing twice is harmless', async () => {
    const pool = await start({ label: 'test pool' });
    await pool.close();
    await pool.close();
    await expect(pool.request(1, { task: 'sum', payload: { tag: 'late' } })).rejects.toThrow(/^test pool is closed$/);
  });
});
