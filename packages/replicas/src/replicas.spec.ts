import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { perImageMetrics } from './metrics';
import { Replicas } from './replicas';

const BACKEND = process.env.CVAE_TEST_BACKEND ?? 'wasm';
const SUM_TASK = { sum: path.join(__dirname, 'test-utils', 'weights-sum-task') };

jest.setTimeout(60_000);

describe('Replicas', () => {
  let model: CVAE;
  beforeAll(async () => {
    await initBackend(BACKEND);
    model = CVAE.create({ latentDim: 2, seed: 1 });
  });
  afterAll(() => model.dispose());

  const weightSum = () => tf.tidy(() => tf.addN(model.trainableVariables().map((v) => tf.sum(v))).dataSync()[0]);

  it('sharded: shard 0 here, shard i on worker i, with the model\'s weights — and new ones only after weightsChanged()', async () => {
    const replicas = await Replicas.start(model, { threads: 2, tasks: SUM_TASK });
    try {
      const shard = () => replicas.sharded<string, { tag: string; weightSum: number }>({ task: 'sum', shards: 2, local: () => 'here', remote: (i) => ({ payload: { tag: `worker ${i}` } }) });
      const first = await shard();
      expect(first.local).toBe('here');
      expect(first.remote[0].result).toEqual({ tag: 'worker 1', weightSum: expect.closeTo(weightSum(), 2) });
      const original = model.getWeightsSnapshot();
      model.setWeights(original.map((w) => ({ ...w, values: w.values.map((v) => v + 0.01) })));
      const stale = await shard();
      expect(stale.remote[0].result.weightSum).toBe(first.remote[0].result.weightSum);
      replicas.weightsChanged();
      const fresh = await shard();
      expect(fresh.remote[0].result.weightSum).toBeCloseTo(weightSum(), 2);
      expect(fresh.remote[0].result.weightSum).not.toBeCloseTo(first.remote[0].result.weightSum, 0);
      model.setWeights(original);
    } finally {
      await replicas.close();
    }
  });

  it('queue: every item once, on both threads, starting no worker for a single item', async () => {
    const replicas = Replicas.create(model, { threads: 2, tasks: SUM_TASK });
    try {
      const runQueue = async (count: number) => {
        const handed: number[] = [];
        const doneBy: string[] = [];
        let next = 0;
        await replicas.queue<number, string | { tag: string }>({
          task: 'sum',
          count,
          next: () => (next < count ? (handed.push(next), next++) : undefined),
          local: () => 'main',
          remote: (item) => ({ payload: { tag: `item ${item}` } }),
          done: (_item, result) => doneBy.push(typeof result === 'string' ? result : 'worker'),
        });
        return { handed, doneBy };
      };
      const one = await runQueue(1);
      expect(one).toEqual({ handed: [0], doneBy: ['main'] });
      const many = await runQueue(40);
      expect(many.handed).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(many.doneBy).toHaveLength(40);
    } finally {
      await replicas.close();
    }
  });

  it('queue: a worker has its next item queued before it answers (it never waits for this thread to hand one out)', async () => {
    const replicas = await Replicas.start(model, { threads: 2, tasks: SUM_TASK });
    try {
      let sentToWorker = 0;
      let sentWhenFirstAnswered: number | undefined;
      let next = 0;
      await replicas.queue<number, string | { tag: string }>({
        task: 'sum',
        count: 20,
        next: () => (next < 20 ? next++ : undefined),
        local: () => 'main',
        remote: (item) => ((sentToWorker += 1), { payload: { tag: `item ${item}` } }),
        done: (_item, result) => {
          if (typeof result !== 'string') sentWhenFirstAnswered ??= sentToWorker;
        },
      });
      expect(sentWhenFirstAnswered).toBe(2);
    } finally {
      await replicas.close();
    }
  });

  it('perImageMetrics: bit for bit the same values on 1 and 2 threads and for any chunk size', async () => {
    const random = new SeededRandom(3);
    const images = Float32Array.from({ length: 300 * 784 }, () => (random.uniform() < 0.3 ? 1 : 0));
    const one = await perImageMetrics(Replicas.create(model, { threads: 1 }), images, { seed: 5, batchSize: 300 });
    const two = Replicas.create(model, { threads: 2 });
    try {
      const chunked = await perImageMetrics(two, images, { seed: 5, batchSize: 64 });
      // Each image's values come from its own rows of every kernel, so chunking changes no bit.
      for (const name of ['elbo', 'kl', 'mse', 'crossEntropy'] as const) expect(chunked[name]).toEqual(one[name]);
      expect(new Set(one.elbo).size).toBeGreaterThan(1);
    } finally {
      await two.close();
    }
  });
});
