import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@cvae/tfjs-kernels';
import { OPTIMIZER_DATA_FILE, OPTIMIZER_SPEC_FILE, restoreOptimizerState, serializeOptimizerState } from './optimizer-state';
import { createOptimizer } from './step';
import { TEST_BACKEND } from './test-utils/tmp-dir';

/** A tiny quadratic problem, so hundreds of Adam steps take milliseconds. */
function step(optimizer: tf.Optimizer, variable: tf.Variable, target: tf.Tensor): void {
  optimizer.minimize(() => tf.sum(tf.square(tf.sub(variable, target))) as tf.Scalar, false, [variable]);
}

describe('Adam state round trip', () => {
  beforeAll(async () => {
    await initBackend(TEST_BACKEND);
  });

  it('a restored optimizer continues exactly like the original, even after hundreds of steps', async () => {
    const target = tf.tensor1d([3, -2, 0.5, 7]);
    const original = { variable: tf.variable(tf.zeros([4])), optimizer: createOptimizer(1e-2) };
    for (let i = 0; i < 777; i++) step(original.optimizer, original.variable, target);

    const files = await serializeOptimizerState(original.optimizer);
    expect(Object.keys(files).sort()).toEqual([OPTIMIZER_DATA_FILE, OPTIMIZER_SPEC_FILE].sort());
    const restored = { variable: tf.variable(original.variable), optimizer: createOptimizer(1e-2) };
    const tensorsBefore = tf.memory().numTensors;
    await restoreOptimizerState(restored.optimizer, files[OPTIMIZER_SPEC_FILE], files[OPTIMIZER_DATA_FILE]);
    // The moments are copied into the optimizer's flat arrays: no tensor outlives the call.
    expect(tf.memory().numTensors - tensorsBefore).toBe(0);
    expect(restored.optimizer.iterations).toBe(777);

    for (let i = 0; i < 200; i++) {
      step(original.optimizer, original.variable, target);
      step(restored.optimizer, restored.variable, target);
    }
    expect(Array.from(restored.variable.dataSync())).toEqual(Array.from(original.variable.dataSync()));
    const again = await serializeOptimizerState(restored.optimizer);
    expect(Buffer.from(again[OPTIMIZER_DATA_FILE]).equals(Buffer.from((await serializeOptimizerState(original.optimizer))[OPTIMIZER_DATA_FILE]))).toBe(true);
    // β₁ᵗ and β₂ᵗ are restored as accumulated, not recomputed with pow (which differs in the last bits).
    expect(new TextDecoder().decode(again[OPTIMIZER_SPEC_FILE])).toBe(new TextDecoder().decode((await serializeOptimizerState(original.optimizer))[OPTIMIZER_SPEC_FILE]));
    tf.dispose([target, original.variable, restored.variable]);
    original.optimizer.dispose();
    restored.optimizer.dispose();
  });

  it('rejects optimizer data of the wrong size', async () => {
    const optimizer = createOptimizer();
    const variable = tf.variable(tf.zeros([4]));
    step(optimizer, variable, tf.ones([4]));
    const files = await serializeOptimizerState(optimizer);
    await expect(restoreOptimizerState(createOptimizer(), files[OPTIMIZER_SPEC_FILE], files[OPTIMIZER_DATA_FILE].subarray(4))).rejects.toThrow(/adam.bin: is 32 bytes, expected 36/);
  });
});
