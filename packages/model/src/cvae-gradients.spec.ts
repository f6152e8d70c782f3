/**
 * End to end on the shipped model: the gradient of the CVAE's −ELBO w.r.t. every weight on wasm
 * (with @cvae/tfjs-kernels) matches the cpu backend, and training steps on wasm do not leak.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { CVAE, WeightSnapshot } from './cvae';
import { negativeElbo } from './loss';

const LATENT = 2;
const TOLERANCE = 1e-3;
// The cpu reference gradient alone takes seconds on a loaded 2-core machine: more than jest's default 5 s.
jest.setTimeout(60_000);
const VARIABLES = 14; // kernel + bias of 7 layers

interface Batch {
  size: number;
  x: Float32Array;
  eps: Float32Array;
}

function fixedBatch(size: number): Batch {
  const random = new SeededRandom(7);
  const x = Float32Array.from({ length: size * 28 * 28 }, () => (random.uniform() > 0.7 ? 1 : 0));
  return { size, x, eps: new SeededRandom(8).normals(size * LATENT) };
}

interface GradientRun {
  grads: Float32Array[];
  weights: WeightSnapshot;
}

/** Gradients (as host arrays) of the loss on `backendName`, from `weights` or else the seeded init. */
async function lossGradients(backendName: 'wasm' | 'cpu', batch: Batch, weights?: WeightSnapshot): Promise<GradientRun> {
  await initBackend(backendName);
  const model = CVAE.create({ latentDim: LATENT, seed: 42 });
  if (weights != null) model.setWeights(weights);
  const variables = model.trainableVariables();
  const x = tf.tensor4d(batch.x, [batch.size, 28, 28, 1]);
  const eps = tf.tensor2d(batch.eps, [batch.size, LATENT]);
  const { grads } = tf.variableGrads(() => negativeElbo(model, x, eps), variables);
  const run = { grads: variables.map((v) => grads[v.name].dataSync() as Float32Array), weights: model.getWeightsSnapshot() };
  tf.dispose([x, eps, ...Object.values(grads)]);
  model.dispose();
  return run;
}

function maxAbs(values: Float32Array): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Variables whose gradient differs by more than TOLERANCE × its scale. */
function disagreements(actual: GradientRun, reference: GradientRun): { variable: number; relativeError: number }[] {
  expect(actual.grads.length).toBe(VARIABLES);
  expect(reference.grads.length).toBe(VARIABLES);
  for (const g of reference.grads) expect(maxAbs(g)).toBeGreaterThan(0);
  return reference.grads
    .map((expected, i) => {
      let worst = 0;
      expected.forEach((value, j) => (worst = Math.max(worst, Math.abs(actual.grads[i][j] - value))));
      return { variable: i, relativeError: worst / maxAbs(expected) };
    })
    .filter((r) => !(r.relativeError <= TOLERANCE));
}

describe('the CVAE loss gradient on wasm (@cvae/tfjs-kernels)', () => {
  it('matches the cpu backend (batch 16)', async () => {
    const batch = fixedBatch(16);
    const reference = await lossGradients('cpu', batch);
    const actual = await lossGradients('wasm', batch, reference.weights);
    expect(disagreements(actual, reference)).toEqual([]);
  });

  it('trains on wasm without throwing or leaking tensors', async () => {
    await initBackend('wasm');
    const model = CVAE.create({ latentDim: LATENT, seed: 3 });
    const batch = fixedBatch(8);
    const x = tf.tensor4d(batch.x, [batch.size, 28, 28, 1]);
    const eps = tf.tensor2d(batch.eps, [batch.size, LATENT]);
    const optimizer = tf.train.adam(1e-4);
    const step = (): number => {
      const loss = optimizer.minimize(() => negativeElbo(model, x, eps), true, model.trainableVariables()) as tf.Scalar;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    const first = step();
    const tensorsAfterFirstStep = tf.memory().numTensors;
    // Scratch buffers of the kernels live on the wasm heap outside the engine's count.
    const heapBuffersAfterFirstStep = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(tf.backend().numDataIds()).toBe(heapBuffersAfterFirstStep);
    expect(Number.isFinite(first)).toBe(true);
    expect(step()).toBeLessThan(first);
    tf.dispose([x, eps]);
    optimizer.dispose();
    model.dispose();
  });
});
