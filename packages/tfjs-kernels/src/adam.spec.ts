/** AdamBuffers (conv.wasm's cvae_adam) against tfjs's own tf.train.adam on the cpu backend: bit for bit. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AdamBuffers, AdamConstants } from './adam';
import { randomValues } from './test-utils/kernel-harness';

const fround = Math.fround;

function constants(step: number, learningRate: number): AdamConstants {
  // β^t accumulated as tfjs does: one float32 product per step.
  let [acc1, acc2] = [fround(0.9), fround(0.999)];
  for (let i = 0; i < step; i++) [acc1, acc2] = [fround(acc1 * fround(0.9)), fround(acc2 * fround(0.999))];
  return {
    beta1: fround(0.9), oneMinusBeta1: fround(1 - 0.9), beta2: fround(0.999), oneMinusBeta2: fround(1 - 0.999),
    oneMinusAccBeta1: fround(1 - acc1), oneMinusAccBeta2: fround(1 - acc2), epsilon: fround(1e-7), negativeLearningRate: fround(-learningRate),
  };
}

describe('AdamBuffers (conv.wasm) vs tf.train.adam on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the same values and moments, bit for bit, over 30 steps (sizes not multiples of 4, updated by range)', async () => {
    const sizes = [7, 13, 4];
    const total = sizes.reduce((a, b) => a + b, 0);
    const initial = randomValues(total, 3);
    const variables = sizes.map((size, i) => tf.variable(tf.tensor1d(initial.slice(sizes.slice(0, i).reduce((a, b) => a + b, 0)).slice(0, size))));
    const adam = tf.train.adam(0.05);
    const buffers = new AdamBuffers(total);
    buffers.values.set(initial);
    for (let step = 0; step < 30; step++) {
      const grads = randomValues(total, 100 + step).map((g, i) => g * 10 ** ((i % 5) - 2));
      let offset = 0;
      const named: Record<string, tf.Variable> = {};
      variables.forEach((v, i) => (named[v.name] = tf.tensor1d(grads.slice(offset, (offset += sizes[i]))) as tf.Variable));
      adam.applyGradients(named);
      tf.dispose(Object.values(named));
      buffers.grads.set(grads);
      const c = constants(step, 0.05);
      buffers.update(c, 0, 7);
      buffers.update(c, 7); // the rest
      expect(Array.from(buffers.values)).toEqual(variables.flatMap((v) => Array.from(v.dataSync())));
    }
    const [iterations, ...moments] = await adam.getWeights();
    const flat = (list: typeof moments) => list.flatMap((w) => Array.from(w.tensor.dataSync()));
    expect([Array.from(buffers.m), Array.from(buffers.v)]).toEqual([flat(moments.slice(0, 3)), flat(moments.slice(3))]);
    iterations.tensor.dispose();
    expect(() => buffers.update(constants(0, 0.05), 20, 5)).toThrow(/outside/);
    tf.dispose(variables);
    adam.dispose();
  });
});
