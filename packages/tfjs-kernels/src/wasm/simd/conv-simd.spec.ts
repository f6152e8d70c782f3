import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { convGeometry } from '../../conv-geometry';
import { describeConvKernelAgainstStockCpu } from '../../test-utils/conv-kernel-suite';
import { CONV_CASES, ConvCase, convAttrs, envDuringBlock } from '../../test-utils/kernel-harness';
import { CONV_C_SHA256, CONV_FMA_WASM_BASE64 } from './conv-wasm.generated';
import { ConvDirection, simdKernelFor } from './conv-simd';
import { convSimdBuild } from './conv-module';
import { CONV_KERNELS, SIMD_CASES } from '../../test-utils/simd-cases';


describe('conv.wasm', () => {
  it('runs the fused multiply-add build where the engine validates it (Node 20: via V8\'s relaxed-SIMD flag), else the plain one', () => {
    const build = convSimdBuild(); // the first use turns V8's flag on where it exists
    const engineHasRelaxedSimd = WebAssembly.validate(Buffer.from(CONV_FMA_WASM_BASE64, 'base64'));
    expect(build).toBe(engineHasRelaxedSimd && process.env['CVAE_WASM_FMA'] !== '0' ? 'simd128-fma' : 'simd128');
  });

  it('is built from the committed conv.c (run build.sh after editing it)', () => {
    const source = readFileSync(join(__dirname, 'conv.c'));
    expect(createHash('sha256').update(source).digest('hex')).toBe(CONV_C_SHA256);
  });

  it('takes every convolution of the CVAE, and leaves shapes it cannot tile to the other paths', () => {
    const kernelOf = (c: ConvCase, direction: ConvDirection) => simdKernelFor(convGeometry(c.xShape, c.filterShape, convAttrs(c), 'test'), direction);
    const cvaeLayers = CONV_CASES.slice(5);
    for (const layer of cvaeLayers) {
      expect(kernelOf(layer, 'forward')).toBe('tiled');
      expect(kernelOf(layer, 'filter-grad')).toBe('tiled');
    }
    expect(cvaeLayers.map((layer) => kernelOf(layer, 'input-grad'))).toEqual(['dot', 'tiled', 'tiled', 'dot']);
    const threeOut = CONV_CASES[0]; // 1 -> 3 channels
    expect([kernelOf(threeOut, 'forward'), kernelOf(threeOut, 'filter-grad'), kernelOf(threeOut, 'input-grad')]).toEqual([null, null, null]);
  });
});

for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'wasm', SIMD_CASES);

describe('with conv.wasm turned off (CVAE_WASM_CONV=xnnpack), the XNNPACK/im2col paths', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack');
  for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'wasm', [...CONV_CASES, ...SIMD_CASES]);
});
