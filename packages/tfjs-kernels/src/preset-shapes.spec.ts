/**
 * The model presets' convolutions (test-utils/preset-cases.ts) on the paths SIMD_CASES does not
 * reach: which conv.wasm kernel takes each, our cpu kernels, the matmul + col2im input gradient
 * and the layer kernels behind CVAE_WASM_CONV=xnnpack. (conv-simd.spec, conv-simd-plain.spec and
 * FusedConv2D.spec run them through both conv.wasm builds, Winograd always/off and XNNPACK.)
 */
import { convGeometry } from './conv-geometry';
import { describeConvKernelAgainstStockCpu } from './test-utils/conv-kernel-suite';
import { describeFusedConvKernelsAgainstStockCpu } from './test-utils/fused-kernel-suite';
import { ConvCase, convAttrs, envDuringBlock } from './test-utils/kernel-harness';
import { PRESET_CASES, PRESET_LAYER_CASES, PRESET_PADDING_CASES } from './test-utils/preset-cases';
import { CONV_KERNELS } from './test-utils/simd-cases';
import { ConvDirection, simdKernelFor } from './wasm/simd/conv-simd';

/** conv.wasm's kernel per direction: forward, input gradient, filter gradient. */
function kernelsOf(c: ConvCase): string[] {
  const g = convGeometry(c.xShape, c.filterShape, convAttrs(c), 'test');
  return (['forward', 'input-grad', 'filter-grad'] as ConvDirection[]).map((direction) => String(simdKernelFor(g, direction)));
}

describe('which conv.wasm kernel takes the presets\' convolutions', () => {
  it('every layer of conv32-rgb and conv64-rgb: tiles, Winograd for the 3x3 stride-2 input gradients, dot products below 8 channels', () => {
    expect(Object.fromEntries(PRESET_LAYER_CASES.map((c) => [c.label, kernelsOf(c)]))).toEqual({
      // The image's gradient is never taken in training, but Conv2DBackpropInput must still be right there.
      [PRESET_LAYER_CASES[0].label]: ['tiled', 'dot', 'tiled'],
      [PRESET_LAYER_CASES[1].label]: ['tiled', 'winograd', 'tiled'],
      [PRESET_LAYER_CASES[2].label]: ['tiled', 'winograd', 'tiled'],
      [PRESET_LAYER_CASES[3].label]: ['tiled', 'dot', 'tiled'],
      // A transposed conv's forward pass is the input gradient: Winograd upsamples every decoder stage.
      [PRESET_LAYER_CASES[4].label]: ['tiled', 'winograd', 'tiled'],
      [PRESET_LAYER_CASES[5].label]: ['tiled', 'winograd', 'tiled'],
      [PRESET_LAYER_CASES[6].label]: ['tiled', 'winograd', 'tiled'],
      [PRESET_LAYER_CASES[7].label]: ['tiled', 'dot', 'tiled'],
    });
  });

  it("'same' at odd sizes (leading padding) goes to the tiles, an even size with partial tiles too unless Winograd is forced", () => {
    expect(PRESET_PADDING_CASES.map(kernelsOf)).toEqual([
      ['tiled', 'dot', 'tiled'],
      ['tiled', 'tiled', 'tiled'],
      ['tiled', 'tiled', 'tiled'],
      ['tiled', 'dot', 'tiled'],
    ]);
  });

  describe('with CVAE_WASM_WINOGRAD=always', () => {
    envDuringBlock('CVAE_WASM_WINOGRAD', 'always');
    it('the even size with partial tiles takes Winograd, the odd one still cannot', () => {
      expect(PRESET_PADDING_CASES.map((c) => kernelsOf(c)[1])).toEqual(['dot', 'tiled', 'winograd', 'dot']);
    });
  });

  describe('with CVAE_WASM_WINOGRAD=0', () => {
    envDuringBlock('CVAE_WASM_WINOGRAD', '0');
    it('no preset shape takes Winograd', () => {
      expect(PRESET_CASES.flatMap(kernelsOf)).not.toContain('winograd');
    });
  });
});

for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'cpu', PRESET_CASES);

describe('with conv.wasm off and the sub-pixel path too (CVAE_WASM_CONV=xnnpack, CVAE_WASM_DINPUT=col2im)', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack');
  envDuringBlock('CVAE_WASM_DINPUT', 'col2im');
  describeConvKernelAgainstStockCpu('Conv2DBackpropInput', 'wasm', PRESET_CASES);
});

describe('the layer kernels with conv.wasm off (CVAE_WASM_CONV=xnnpack)', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack');
  describeFusedConvKernelsAgainstStockCpu(PRESET_CASES);
});
