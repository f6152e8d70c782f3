import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { convGeometry } from '../../conv-geometry';
import { describeConvKernelAgainstStockCpu } from '../../test-utils/conv-kernel-suite';
import { CONV_CASES, ConvCase, convAttrs, envDuringBlock } from '../../test-utils/kernel-harness';
import { CONV_C_SHA256, CONV_FMA_WASM_BASE64 } from './conv-wasm.generated';
import { ConvDirection, simdKernelFor, winogradMultiplyRatio } from './conv-simd';
import { convSimdBuild } from './conv-module';
import { CONV_KERNELS, SIMD_CASES } from '../../test-utils/simd-cases';
import { describeFusedConvKernelsAgainstStockCpu } from '../../test-utils/fused-kernel-suite';


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
    const dec2 = SIMD_CASES.find((c) => c.label.includes('dec2')) as ConvCase;
    expect(kernelOf(dec2, 'input-grad')).toBe('winograd');
    const threeOut = CONV_CASES[0]; // 1 -> 3 channels
    expect([kernelOf(threeOut, 'forward'), kernelOf(threeOut, 'filter-grad'), kernelOf(threeOut, 'input-grad')]).toEqual([null, null, null]);
  });

  it('takes a 3x3 stride-2 input gradient by Winograd only where that needs fewer multiplies (dec2: 0.69; dec1: 0.91, enc2: 1.23)', () => {
    const geometry = (c: ConvCase) => convGeometry(c.xShape, c.filterShape, convAttrs(c), 'test');
    const [enc2, dec1] = [CONV_CASES[6], CONV_CASES[7]];
    const dec2 = SIMD_CASES.find((c) => c.label.includes('dec2')) as ConvCase;
    expect([dec2, dec1, enc2].map((c) => Number(winogradMultiplyRatio(geometry(c)).toFixed(2)))).toEqual([0.69, 0.91, 1.23]);
    const winogradEdges = SIMD_CASES.filter((c) => c.label.includes('Winograd'));
    expect(winogradEdges.map((c) => simdKernelFor(geometry(c), 'input-grad'))).toEqual(['tiled', 'tiled', 'tiled']);
  });
});

for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'wasm', SIMD_CASES);

describe('with the Winograd input gradient on every shape it can take (CVAE_WASM_WINOGRAD=always)', () => {
  envDuringBlock('CVAE_WASM_WINOGRAD', 'always');
  it('takes the edge shapes aimed at it, and leaves a top padding of 1 to the tiles', () => {
    const winogradEdges = SIMD_CASES.filter((c) => c.label.includes('Winograd'));
    const kernels = winogradEdges.map((c) => simdKernelFor(convGeometry(c.xShape, c.filterShape, convAttrs(c), 'test'), 'input-grad'));
    expect(kernels).toEqual(['winograd', 'winograd', 'tiled']);
  });
  describeConvKernelAgainstStockCpu('Conv2DBackpropInput', 'wasm', [...CONV_CASES, ...SIMD_CASES]);
  describeFusedConvKernelsAgainstStockCpu(SIMD_CASES);
});

describe('with the Winograd input gradient turned off (CVAE_WASM_WINOGRAD=0), the tiles', () => {
  envDuringBlock('CVAE_WASM_WINOGRAD', '0');
  it('take the 3x3 stride-2 shapes', () => {
    const dec2 = SIMD_CASES.find((c) => c.label.includes('dec2')) as ConvCase;
    expect(simdKernelFor(convGeometry(dec2.xShape, dec2.filterShape, convAttrs(dec2), 'test'), 'input-grad')).toBe('tiled');
  });
  describeConvKernelAgainstStockCpu('Conv2DBackpropInput', 'wasm', [...CONV_CASES, ...SIMD_CASES]);
});

describe('with conv.wasm turned off (CVAE_WASM_CONV=xnnpack), the XNNPACK/im2col paths', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack');
  for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'wasm', [...CONV_CASES, ...SIMD_CASES]);
});
