/** FlatAdamOptimizer is tfjs's Adam bit for bit, through tensors or one flat gradient array, on wasm and cpu. */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs's gradient functions, as it does for a model.
import '@tensorflow/tfjs-layers';
import { initBackend } from '@cvae/tfjs-kernels';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { FlatAdamOptimizer } from './flat-adam';

const SHAPES = [[3, 4], [7], [2, 2, 2]];
const STEPS = 60;

/** Variables with seeded values; the loss has gradients of very different sizes, and signs that flip. */
function problem(seed: number) {
  const variables = SHAPES.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', seed + i)));
  const loss = () => tf.addN(variables.map((v, i) => tf.sum(tf.mul(tf.sin(tf.mul(v, 3 + i)), 10 ** (i - 1))))) as tf.Scalar;
  return { variables, loss };
}

const values = (variables: tf.Variable[]) => variables.map((v) => Array.from(v.dataSync()));

describe.each(['wasm', 'cpu'] as const)('FlatAdamOptimizer on %s', (backendName) => {
  beforeAll(async () => {
    await initBackend(backendName);
  });

  it('updates weights and moments exactly as tf.train.adam does, step after step', async () => {
    const [stock, flat, viaFlatArray] = [problem(1), problem(1), problem(1)];
    const [stockAdam, flatAdam, flatArrayAdam] = [tf.train.adam(3e-2), new FlatAdamOptimizer(3e-2), new FlatAdamOptimizer(3e-2)];
    for (let step = 0; step < STEPS; step++) {
      stockAdam.minimize(stock.loss, false, stock.variables);
      flatAdam.minimize(flat.loss, false, flat.variables);
      const { grads } = tf.variableGrads(viaFlatArray.loss, viaFlatArray.variables);
      const flatGrads = Float32Array.from(viaFlatArray.variables.flatMap((v) => Array.from(grads[v.name].dataSync())));
      tf.dispose(Object.values(grads));
      flatArrayAdam.applyFlatGradients(viaFlatArray.variables, flatGrads);
      expect(values(flat.variables)).toEqual(values(stock.variables));
      expect(values(viaFlatArray.variables)).toEqual(values(stock.variables));
    }
    const [stockState, flatState] = [await stockAdam.getWeights(), await flatAdam.getWeights()];
    const state = (weights: NamedTensor[]) => weights.map((w) => [w.tensor.shape, Array.from(w.tensor.dataSync())]);
    expect(state(flatState)).toEqual(state(stockState));
    // Named as tfjs names them: iter, then <variable>/m for each variable, then <variable>/v.
    expect(flatState.map((w) => w.name)).toEqual(['iter', ...flat.variables.map((v) => `${v.name}/m`), ...flat.variables.map((v) => `${v.name}/v`)]);
    tf.dispose([...flatState.map((w) => w.tensor), stockState[0].tensor, ...stock.variables, ...flat.variables, ...viaFlatArray.variables]);
    [stockAdam, flatAdam, flatArrayAdam].forEach((o) => o.dispose());
  });

  it('leaves no tensors behind per step, and rejects a gradient array of the wrong size', () => {
    const { variables, loss } = problem(5);
    const adam = new FlatAdamOptimizer(1e-3);
    adam.minimize(loss, false, variables);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) adam.minimize(loss, false, variables);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(() => adam.applyFlatGradients(variables, new Float32Array(3))).toThrow(/3 gradient values for 27 parameters/);
    tf.dispose(variables);
    adam.dispose();
  });
});
