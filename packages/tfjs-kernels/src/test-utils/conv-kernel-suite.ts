/** One describe block per kernel: ours on `backendName` vs tfjs's stock cpu kernel, over CONV_CASES. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { TRAINING_KERNELS, registerTrainingKernels } from '../register';
import { CONV_CASES, ConvCase, caseSeed, convKernelCall, registeredKernel, relativeMaxError, runKernel, stockReference } from './kernel-harness';

const TOLERANCE = 1e-4;

export function describeConvKernelAgainstStockCpu(
  kernelName: 'Conv2D' | 'Conv2DBackpropFilter' | 'Conv2DBackpropInput',
  backendName: 'wasm' | 'cpu',
  cases: readonly ConvCase[] = CONV_CASES,
): void {
  describe(`${backendName} ${kernelName} (cvae kernel) vs tfjs stock cpu`, () => {
    beforeAll(async () => {
      await tf.setBackend(backendName);
      await tf.ready();
      await tf.setBackend('cpu');
      registerTrainingKernels(backendName);
    });

    it('is our kernel that tfjs now runs', () => {
      const ours = TRAINING_KERNELS[backendName].find((k) => k.kernelName === kernelName);
      expect(ours).toBeDefined();
      expect(registeredKernel(kernelName, backendName)).toBe(ours?.kernelFunc);
    });

    it.each(cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
      const { inputs, attrs } = convKernelCall(kernelName, c, caseSeed(c.label));
      const expected = stockReference(kernelName, JSON.stringify(c), inputs, attrs);
      const actual = runKernel(backendName, registeredKernel(kernelName, backendName), inputs, attrs);
      expect(actual.shape).toEqual(expected.shape);
      expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
    });
  });
}
