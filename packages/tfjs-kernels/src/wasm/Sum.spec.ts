/** wasm Sum (cvae kernel: leading-axes fast path, else tfjs-wasm) vs tfjs's stock cpu Sum. */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { NamedAttrMap, Sum } from '@tensorflow/tfjs-core';
import { leadingAxesCount, sumWasmConfig } from './Sum';
import { hostTensor, registeredKernel, relativeMaxError, runKernel, stockCpuKernel, wasmReadyCpuActive } from '../test-utils/kernel-harness';

const TOLERANCE = 1e-4;

const CASES: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [100, 14, 14, 64], axis: [0, 1, 2], keepDims: false }, // CVAE bias gradient
  { shape: [3, 5, 7, 2], axis: [0, 1, 2], keepDims: true },
  { shape: [7, 9], axis: 0, keepDims: false },
  { shape: [4, 6, 3], axis: [1, 0], keepDims: false },
  { shape: [4, 6, 3], axis: [0], keepDims: true },
  { shape: [5, 28, 28, 1], axis: [1, 2, 3], keepDims: false }, // inner axes: delegated to tfjs-wasm
  { shape: [6, 4], axis: -1, keepDims: false },
  { shape: [2, 3, 4], axis: [0, 2], keepDims: true }, // non-contiguous: delegated
  { shape: [3, 4], axis: [0, 1], keepDims: false }, // all axes: delegated
];

describe('wasm Sum (cvae kernel) vs tfjs stock cpu', () => {
  beforeAll(async () => {
    await wasmReadyCpuActive();
  });

  it('is our kernel that tfjs now runs', () => {
    expect(registeredKernel(Sum, 'wasm')).toBe(sumWasmConfig.kernelFunc);
  });

  it('recognises leading-axis reductions', () => {
    expect(leadingAxesCount([0, 1, 2], 4)).toBe(3);
    expect(leadingAxesCount([1, 0], 3)).toBe(2);
    expect(leadingAxesCount([1, 2], 3)).toBe(0);
    expect(leadingAxesCount([0, 1], 2)).toBe(0);
  });

  it.each(CASES.map((c, i) => [`${JSON.stringify(c.shape)} axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, c, i] as const))('%s', (_label, c, i) => {
    const inputs = { x: hostTensor(c.shape, 500 + i) };
    const attrs = { axis: c.axis, keepDims: c.keepDims } as unknown as NamedAttrMap;
    const expected = runKernel('cpu', stockCpuKernel(Sum), inputs, attrs);
    const actual = runKernel('wasm', registeredKernel(Sum, 'wasm'), inputs, attrs);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
  });
});
