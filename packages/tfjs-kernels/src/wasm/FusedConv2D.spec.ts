import { describeFusedConvKernelsAgainstStockCpu } from '../test-utils/fused-kernel-suite';
import { CONV_CASES, envDuringBlock } from '../test-utils/kernel-harness';
import { SIMD_CASES } from '../test-utils/simd-cases';

// conv.wasm's epilogues where it tiles the shape; tfjs-wasm's FusedConv2D / our Conv2DBackpropInput plus a bias pass otherwise.
describeFusedConvKernelsAgainstStockCpu([...CONV_CASES, ...SIMD_CASES]);

describe('with conv.wasm turned off (CVAE_WASM_CONV=xnnpack), the fallback paths', () => {
  envDuringBlock('CVAE_WASM_CONV', 'xnnpack');
  describeFusedConvKernelsAgainstStockCpu(CONV_CASES);
});
