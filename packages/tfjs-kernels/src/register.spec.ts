import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
// The package entry point: importing it registers the kernels, as a user's `import '@cvae/tfjs-kernels'` does.
import { TRAINING_KERNELS, originalKernel } from './index';
import { stockWasmKernelConfig } from './wasm/heap';

describe('importing @cvae/tfjs-kernels', () => {
  it.each(['wasm', 'cpu'] as const)('registers our %s kernels in place of tfjs\'s', (backendName) => {
    for (const ours of TRAINING_KERNELS[backendName]) {
      expect([ours.kernelName, getKernel(ours.kernelName, backendName)?.kernelFunc]).toEqual([ours.kernelName, ours.kernelFunc]);
      const original = originalKernel(ours.kernelName, backendName);
      if (original !== undefined) expect(original).not.toBe(ours.kernelFunc);
    }
  });

  it('replaces tfjs-backend-wasm\'s own Conv2D, Conv2DBackpropInput and Sum, and adds the Conv2DBackpropFilter it lacks', () => {
    const replaced = TRAINING_KERNELS.wasm.filter((k) => originalKernel(k.kernelName, 'wasm') !== undefined).map((k) => k.kernelName);
    expect(replaced.sort()).toEqual(['Conv2D', 'Conv2DBackpropInput', 'Sum']);
    expect(originalKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // The stock kernels we delegate to are tfjs-wasm's originals, not ours.
    expect(stockWasmKernelConfig('Conv2D').kernelFunc).toBe(originalKernel('Conv2D', 'wasm'));
  });

  it('runs our setup funcs when the wasm backend is set', async () => {
    await tf.setBackend('wasm');
    const y = tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 8]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(y.dataSync()).slice(0, 8)).toEqual(Array(8).fill(9));
    y.dispose();
  });
});
