/** wasm CvaeBiasActivationGrad vs the relu and bias gradients tfjs's stock cpu kernels compute (dy · step(y), Sum). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { BIAS_ACTIVATION_GRAD, FusedActivation } from '../fused/names';
import { HostTensor, hostTensor, registeredKernel, relativeMaxError, wasmReadyCpuActive } from '../test-utils/kernel-harness';

const TOLERANCE = 1e-4;

const CASES: { shape: number[]; activation: FusedActivation }[] = [
  { shape: [100, 14, 14, 64], activation: 'relu' }, // CVAE dec1's output at batch 100
  { shape: [3, 5, 7, 32], activation: 'relu' },
  { shape: [13, 1568], activation: 'relu' }, // the decoder's dense layer, 13 rows (not a multiple of 8)
  { shape: [2, 3, 5, 3], activation: 'relu' }, // channels not a multiple of 4
  { shape: [9, 7], activation: 'linear' },
  { shape: [1, 6], activation: 'relu' },
];

/** The reference: stock cpu kernels via tfjs ops (cpu has no kernel of ours for these). */
function expected(dy: HostTensor, y: HostTensor, activation: FusedActivation): HostTensor[] {
  return tf.tidy(() => {
    const dyT = tf.tensor(dy.values, dy.shape);
    const dz = activation === 'relu' ? tf.mul(dyT, tf.step(tf.tensor(y.values, y.shape))) : dyT;
    const dbias = tf.sum(dz, dy.shape.slice(0, -1).map((_, i) => i));
    return [dz, dbias].map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  });
}

function actual(dy: HostTensor, y: HostTensor, activation: FusedActivation): HostTensor[] {
  const backend = tf.findBackend('wasm') as KernelBackend;
  const info = (t: HostTensor): TensorInfo => ({ dataId: backend.write(t.values.slice(), t.shape, 'float32'), shape: t.shape, dtype: 'float32' });
  const inputs = { dy: info(dy), y: info(y) };
  const outs = registeredKernel(BIAS_ACTIVATION_GRAD, 'wasm')({ inputs, backend, attrs: { activation } }) as TensorInfo[];
  const host = outs.map((o) => ({ shape: o.shape, values: Float32Array.from(backend.readSync(o.dataId) as Float32Array) }));
  for (const t of [...outs, inputs.dy, inputs.y]) backend.disposeData(t.dataId);
  return host;
}

describe('wasm CvaeBiasActivationGrad vs tfjs stock cpu (Multiply, Step, Sum)', () => {
  beforeAll(async () => {
    await wasmReadyCpuActive();
  });

  it.each(CASES.map((c, i) => [`${JSON.stringify(c.shape)} ${c.activation}`, c, i] as const))('%s', (_label, c, i) => {
    const dy = hostTensor(c.shape, 700 + i);
    const y = hostTensor(c.shape, 800 + i); // about half the units active
    const [dz, dbias] = actual(dy, y, c.activation);
    const [dzRef, dbiasRef] = expected(dy, y, c.activation);
    expect([dz.shape, dbias.shape]).toEqual([dzRef.shape, dbiasRef.shape]);
    expect(relativeMaxError(dz, dzRef)).toBe(0); // a select: exact
    expect(relativeMaxError(dbias, dbiasRef)).toBeLessThanOrEqual(TOLERANCE);
  });
});
