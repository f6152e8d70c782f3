import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import { convGeometry } from '../conv-geometry';
import { describeConvKernelAgainstStockCpu } from '../test-utils/conv-kernel-suite';
import { CONV_CASES, ConvCase, convAttrs, convKernelCall, envDuringBlock, registeredKernel, relativeMaxError, runKernel, stockCpuKernel, wasmReadyCpuActive } from '../test-utils/kernel-harness';
import { subPixelApplies } from './subpixel';

// Strided cases go through the sub-pixel path (4 XNNPACK convs), stride 1 through matmul + col2im.
describeConvKernelAgainstStockCpu('Conv2DBackpropInput', 'wasm');

const TOLERANCE = 1e-4;

/** Extra strided geometries for the sub-pixel decomposition (phases with 1, 2 and 3 taps, uneven padding, fallbacks). */
const STRIDED_CASES: ConvCase[] = [
  { label: 'b2 9x8 5->7 s3 same 5x5', xShape: [2, 9, 8, 5], filterShape: [5, 5, 5, 7], strides: 3, pad: 'same' },
  { label: 'b1 10x11 4->6 s[2,3] valid 3x4', xShape: [1, 10, 11, 4], filterShape: [3, 4, 4, 6], strides: [2, 3], pad: 'valid' },
  { label: 'b3 8x8 3->5 s2 same 2x2', xShape: [3, 8, 8, 3], filterShape: [2, 2, 3, 5], strides: 2, pad: 'same' },
  { label: 'b2 7x7 6->4 s2 same 4x4 (pad 1/2)', xShape: [2, 7, 7, 6], filterShape: [4, 4, 6, 4], strides: 2, pad: 'same' },
  { label: 'b2 9x9 3->4 s2 valid 1x1 (a phase without taps: col2im fallback)', xShape: [2, 9, 9, 3], filterShape: [1, 1, 3, 4], strides: 2, pad: 'valid' },
  { label: 'b2 28x28 32->64 s2 same (CVAE dec2, batch 2)', xShape: [2, 28, 28, 32], filterShape: [3, 3, 32, 64], strides: 2, pad: 'same' },
];

function compare(c: ConvCase, seed: number): void {
  const { inputs, attrs } = convKernelCall('Conv2DBackpropInput', c, seed);
  const expected = runKernel('cpu', stockCpuKernel(Conv2DBackpropInput), inputs, attrs);
  const actual = runKernel('wasm', registeredKernel(Conv2DBackpropInput, 'wasm'), inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
}

describe('wasm Conv2DBackpropInput paths', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack'); // these cases test the sub-pixel path behind conv.wasm
  beforeAll(() => wasmReadyCpuActive());

  it('uses the sub-pixel decomposition for the CVAE strided layers, not for a 1x1 stride-2 filter', () => {
    const applies = (c: ConvCase): boolean => subPixelApplies(convGeometry(c.xShape, c.filterShape, convAttrs(c), 'test'));
    expect(applies(STRIDED_CASES[5])).toBe(true);
    expect(applies(CONV_CASES[6])).toBe(true); // encoder conv2 (valid) dInput
    expect(applies(STRIDED_CASES[0])).toBe(true);
    expect(applies(STRIDED_CASES[4])).toBe(false);
  });

  it.each(STRIDED_CASES.map((c, i) => [c.label, c, i] as const))('sub-pixel: %s', (_label, c, i) => compare(c, 3000 + 13 * i));

  describe('with the sub-pixel path disabled too (CVAE_WASM_DINPUT=col2im)', () => {
    envDuringBlock('CVAE_WASM_DINPUT', 'col2im');
    it.each([...CONV_CASES, ...STRIDED_CASES].map((c, i) => [c.label, c, i] as const))('col2im: %s', (_label, c, i) => compare(c, 4000 + 11 * i));
  });
});
