/** wasm Identity shares its input's buffer instead of copying it; disposing either side keeps the other intact. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers tfjs's gradient functions, as it does for a user's model.
import '@tensorflow/tfjs-layers';
import { Identity } from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from '../register';
import { registeredKernel } from '../test-utils/kernel-harness';
import { identityWasmConfig } from './Identity';

describe('wasm Identity (cvae kernel)', () => {
  beforeAll(async () => {
    registerTrainingKernels('wasm');
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('is our kernel that tfjs now runs', () => {
    expect(registeredKernel(Identity, 'wasm')).toBe(identityWasmConfig.kernelFunc);
  });

  it('returns the same values without allocating, and either side can be disposed first', () => {
    const x = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3), [2, 3, 4]);
    const buffers = tf.backend().numDataIds();
    const y = tf.clone(x); // tf.clone runs the Identity kernel
    expect(tf.backend().numDataIds()).toBe(buffers);
    expect(y.shape).toEqual(x.shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3));
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers - 1);
  });

  it('keeps what a gradient saved when the forward tensors are disposed', () => {
    const x = tf.variable(tf.tensor1d([-1, 2, -3, 4]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.relu(tf.mul(x, 3))), [x]);
    expect(Array.from(grads[x.name].dataSync())).toEqual([0, 3, 0, 3]);
    tf.dispose(grads);
    x.dispose();
  });
});
