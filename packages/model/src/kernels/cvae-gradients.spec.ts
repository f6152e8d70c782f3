/**
 * End to end: the gradient of the CVAE loss w.r.t. every weight on wasm (with the
 * cvae kernels) matches the cpu backend, and training steps on wasm do not leak.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerCvaeKernels } from './index';
import { buildCvaeLike, cvaeLoss } from './test-utils/cvae-like';
import { maxAbs, randomValues, relativeMaxError } from './test-utils/kernel-harness';

const LATENT = 2;
const TOLERANCE = 1e-3;
const VARIABLES = 14; // kernel + bias of 7 layers

interface Batch {
  size: number;
  x: Float32Array;
  eps: Float32Array;
}

function fixedBatch(size: number): Batch {
  const x = randomValues(size * 28 * 28, 7).map((v) => (v > 0.4 ? 1 : 0));
  return { size, x, eps: randomValues(size * LATENT, 8) };
}

interface GradientRun {
  grads: Float32Array[];
  weights: Float32Array[];
}

/** Gradients (as host arrays) of the loss on `backendName`, from `weights` or else the seeded init. */
async function lossGradients(backendName: string, batch: Batch, weights?: Float32Array[]): Promise<GradientRun> {
  await tf.setBackend(backendName);
  const model = buildCvaeLike(LATENT, 42);
  if (weights != null) model.variables.forEach((v, i) => v.assign(tf.tensor(weights[i], v.shape)));
  const x = tf.tensor4d(batch.x, [batch.size, 28, 28, 1]);
  const eps = tf.tensor2d(batch.eps, [batch.size, LATENT]);
  const { grads } = tf.variableGrads(() => cvaeLoss(model, x, eps), model.variables);
  const run = {
    grads: model.variables.map((v) => grads[v.name].dataSync() as Float32Array),
    weights: model.variables.map((v) => v.dataSync() as Float32Array),
  };
  tf.dispose([x, eps, ...Object.values(grads)]);
  model.encoder.dispose();
  model.decoder.dispose();
  return run;
}

/** Variables whose gradient differs by more than TOLERANCE x its scale. */
function disagreements(actual: GradientRun, reference: GradientRun): { variable: number; relativeError: number }[] {
  expect(actual.grads.length).toBe(VARIABLES);
  expect(reference.grads.length).toBe(VARIABLES);
  for (const g of reference.grads) expect(maxAbs(g)).toBeGreaterThan(0);
  return reference.grads
    .map((expected, i) => ({ variable: i, relativeError: relativeMaxError({ shape: [], values: actual.grads[i] }, { shape: [], values: expected }) }))
    .filter((r) => !(r.relativeError <= TOLERANCE));
}

describe('CVAE loss gradient on wasm (cvae kernels)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerCvaeKernels('wasm');
  });

  // tfjs's stock cpu conv gradients are very slow (and slower still under jest), so batch 1.
  it('matches tfjs stock cpu kernels (batch 1)', async () => {
    const batch = fixedBatch(1);
    const reference = await lossGradients('cpu', batch);
    const actual = await lossGradients('wasm', batch, reference.weights);
    expect(disagreements(actual, reference)).toEqual([]);
  });

  it('matches cpu with cvae kernels (batch 16)', async () => {
    registerCvaeKernels('cpu');
    const batch = fixedBatch(16);
    const reference = await lossGradients('cpu', batch);
    const actual = await lossGradients('wasm', batch, reference.weights);
    expect(disagreements(actual, reference)).toEqual([]);
  });

  it('trains on wasm without throwing or leaking tensors', async () => {
    await tf.setBackend('wasm');
    const model = buildCvaeLike(LATENT, 3);
    const batch = fixedBatch(8);
    const x = tf.tensor4d(batch.x, [batch.size, 28, 28, 1]);
    const eps = tf.tensor2d(batch.eps, [batch.size, LATENT]);
    const optimizer = tf.train.adam(1e-4);
    const step = (): number => {
      const loss = optimizer.minimize(() => cvaeLoss(model, x, eps), true, model.variables) as tf.Scalar;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    const first = step();
    const tensorsAfterFirstStep = tf.memory().numTensors;
    // Scratch buffers of the cvae kernels live on the wasm heap outside the engine's count.
    const heapBuffersAfterFirstStep = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(tf.backend().numDataIds()).toBe(heapBuffersAfterFirstStep);
    expect(Number.isFinite(first)).toBe(true);
    expect(step()).toBeLessThan(first);
    tf.dispose([x, eps]);
    optimizer.dispose();
    model.encoder.dispose();
    model.decoder.dispose();
  });
});
