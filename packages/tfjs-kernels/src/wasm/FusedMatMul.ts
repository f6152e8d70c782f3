/**
 * wasm CvaeFusedMatMul: act(a · b + bias), a dense layer, run by tfjs-wasm's own _FusedMatMul
 * (XNNPACK). Its own kernel name gives it this package's gradient (fused/gradients.ts), whose
 * transposed products go to our BatchMatMul.
 */
import { KernelConfig, KernelFunc, TensorInfo, _FusedMatMul } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { FUSED_MATMUL, FusedMatMulAttrs } from '../fused/names';
import { stockWasmKernel, stockWasmKernelConfig, withShape } from './heap';

export function fusedMatMulWasm(args: KernelArgs): TensorInfo {
  const a = input(args.inputs, 'a', FUSED_MATMUL);
  const b = input(args.inputs, 'b', FUSED_MATMUL);
  const bias = args.inputs['bias'];
  const { activation } = args.attrs as unknown as FusedMatMulAttrs;
  const [M, K] = a.shape;
  const N = b.shape[1];
  const out = stockWasmKernel(_FusedMatMul)({
    inputs: { a: withShape(a, [1, M, K]), b: withShape(b, [1, K, N]), ...(bias ? { bias } : {}) },
    backend: args.backend as object,
    attrs: { transposeA: false, transposeB: false, activation },
  } as Parameters<KernelFunc>[0]) as TensorInfo;
  return withShape(out, [M, N]);
}

export const fusedMatMulWasmConfig: KernelConfig = {
  kernelName: FUSED_MATMUL,
  backendName: 'wasm',
  kernelFunc: fusedMatMulWasm as KernelFunc,
  setupFunc: (backend) => stockWasmKernelConfig(_FusedMatMul).setupFunc?.(backend),
};
