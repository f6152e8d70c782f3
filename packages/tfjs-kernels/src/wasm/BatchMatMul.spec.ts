/** wasm BatchMatMul (cvae_matmul for single transposed products, else tfjs-wasm's) vs tfjs's stock cpu kernel. */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { BatchMatMul, NamedAttrMap } from '@tensorflow/tfjs-core';
import { hostTensor, registeredKernel, relativeMaxError, runKernel, stockCpuKernel, wasmReadyCpuActive } from '../test-utils/kernel-harness';
import { batchMatMulWasmConfig } from './BatchMatMul';

const TOLERANCE = 1e-4;

// [a shape, b shape, transposeA, transposeB]: the CVAE's dense gradients at batch 100, odd sizes, and the paths left to tfjs.
const CASES: [number[], number[], boolean, boolean][] = [
  [[1, 100, 4], [1, 2304, 4], false, true], // encoder dense dx = dz · Wᵀ
  [[1, 100, 2304], [1, 100, 4], true, false], // encoder dense dW = xᵀ · dz
  [[1, 100, 1568], [1, 2, 1568], false, true], // decoder dense dz'
  [[1, 100, 2], [1, 100, 1568], true, false], // decoder dense dW
  [[1, 7, 5], [1, 3, 7], true, true],
  [[1, 3, 6], [1, 9, 6], false, true],
  [[1, 5, 3], [1, 5, 7], true, false],
  [[1, 4, 5], [1, 5, 3], false, false], // untransposed: tfjs-wasm (XNNPACK)
  [[3, 4, 5], [3, 6, 5], false, true], // a batch of 3: tfjs-wasm
];

describe('wasm BatchMatMul vs tfjs stock cpu', () => {
  beforeAll(async () => {
    await wasmReadyCpuActive();
  });

  it('is our kernel that tfjs now runs', () => {
    expect(registeredKernel(BatchMatMul, 'wasm')).toBe(batchMatMulWasmConfig.kernelFunc);
  });

  it.each(CASES.map((c, i) => [`${JSON.stringify(c[0])}${c[2] ? 'ᵀ' : ''} · ${JSON.stringify(c[1])}${c[3] ? 'ᵀ' : ''}`, c, i] as const))('%s', (_label, [aShape, bShape, transposeA, transposeB], i) => {
    const inputs = { a: hostTensor(aShape, 900 + i), b: hostTensor(bShape, 950 + i) };
    const attrs = { transposeA, transposeB } as unknown as NamedAttrMap;
    const expected = runKernel('cpu', stockCpuKernel(BatchMatMul), inputs, attrs);
    const actual = runKernel('wasm', registeredKernel(BatchMatMul, 'wasm'), inputs, attrs);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
  });
});
