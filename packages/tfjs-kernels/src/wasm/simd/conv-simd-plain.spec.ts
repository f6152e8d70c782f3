// The plain SIMD-128 build of conv.c (no fused multiply-add), as engines without relaxed SIMD run it.
// Jest gives each spec file its own module registry, so this choice does not leak into other files.
process.env['CVAE_WASM_FMA'] = '0';

import { describeConvKernelAgainstStockCpu } from '../../test-utils/conv-kernel-suite';
import { CONV_CASES } from '../../test-utils/kernel-harness';
import { convSimdBuild } from './conv-module';
import { CONV_KERNELS, SIMD_CASES } from '../../test-utils/simd-cases';
import { describeFusedConvKernelsAgainstStockCpu } from '../../test-utils/fused-kernel-suite';

describe('conv.wasm without relaxed SIMD (CVAE_WASM_FMA=0)', () => {
  it('runs the plain SIMD-128 build', () => {
    expect(convSimdBuild()).toBe('simd128');
  });
});

for (const kernel of CONV_KERNELS) describeConvKernelAgainstStockCpu(kernel, 'wasm', [...CONV_CASES, ...SIMD_CASES]);
describeFusedConvKernelsAgainstStockCpu([...CONV_CASES, ...SIMD_CASES]);
