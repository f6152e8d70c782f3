import * as tf from '@tensorflow/tfjs-core';
import { getGradient, getKernel } from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs's gradient functions, as it does for a user's model.
import '@tensorflow/tfjs-layers';
// The package entry point: importing it registers the kernels, as a user's `import '@cvae/tfjs-kernels'` does.
import { BIAS_ACTIVATION_GRAD, FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD, TRAINING_KERNELS, originalKernel } from './index';
import { stockWasmKernelConfig } from './wasm/heap';

describe('importing @cvae/tfjs-kernels', () => {
  it.each(['wasm', 'cpu'] as const)('registers our %s kernels in place of tfjs\'s', (backendName) => {
    for (const ours of TRAINING_KERNELS[backendName]) {
      expect([ours.kernelName, getKernel(ours.kernelName, backendName)?.kernelFunc]).toEqual([ours.kernelName, ours.kernelFunc]);
      const original = originalKernel(ours.kernelName, backendName);
      if (original !== undefined) expect(original).not.toBe(ours.kernelFunc);
    }
  });

  it('replaces tfjs-backend-wasm\'s own conv, matmul, Sum and Identity kernels, and adds the Conv2DBackpropFilter it lacks and the layer kernels', () => {
    const replaced = TRAINING_KERNELS.wasm.filter((k) => originalKernel(k.kernelName, 'wasm') !== undefined).map((k) => k.kernelName);
    expect(replaced.sort()).toEqual(['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'FusedConv2D', 'Identity', 'Sum']);
    const added = TRAINING_KERNELS.wasm.filter((k) => originalKernel(k.kernelName, 'wasm') === undefined).map((k) => k.kernelName);
    expect(added.sort()).toEqual(['Conv2DBackpropFilter', BIAS_ACTIVATION_GRAD, FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD].sort());
    // The layer kernels have gradients.
    for (const name of [FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, SIGMOID_CROSS_ENTROPY]) expect(getGradient(name)?.kernelName).toBe(name);
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

describe('layouts our kernels do not handle', () => {
  it('an NCHW convolution on cpu goes to tfjs\'s own kernel, with its gradients', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor4d(Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i)), [2, 3, 5, 5]);
    const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
    const nchw = (input: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(input, f, 1, 'same', 'NCHW');
    const [y, dx, df] = [nchw(x, filter), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(nchw(a as tf.Tensor4D, b as tf.Tensor4D)))([x, filter])];
    // The same convolution in NHWC, which our kernels compute, transposed back.
    const toNhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);
    const yNhwc = tf.conv2d(toNhwc(x) as tf.Tensor4D, filter, 1, 'same');
    expect(y.shape).toEqual([2, 4, 5, 5]);
    expect(tf.max(tf.abs(tf.sub(toNhwc(y), yNhwc))).dataSync()[0]).toBeLessThan(1e-4);
    expect([dx.shape, df.shape]).toEqual([x.shape, filter.shape]);
  });
});
