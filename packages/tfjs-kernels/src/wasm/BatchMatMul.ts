/**
 * wasm BatchMatMul: a single transposed product (transposeA or transposeB, batch 1) runs conv.c's
 * cvae_matmul; tfjs-wasm runs those outside XNNPACK's fast path (e.g. a dense layer's weight
 * gradient xᵀ·dy: ~1.9 ms for [2304×100]·[100×4], 30 µs here). Everything else — untransposed
 * products (XNNPACK, with its packed-weight cache), batches, other dtypes — is tfjs's own kernel.
 */
import { BatchMatMul, BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { matMulSimd } from './simd/conv-simd';
import { asWasmBackend, stockWasmKernel, stockWasmKernelConfig } from './heap';

export function batchMatMulWasm(args: KernelArgs): TensorInfo {
  const a = input(args.inputs, 'a', BatchMatMul);
  const b = input(args.inputs, 'b', BatchMatMul);
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const single = (t: TensorInfo) => t.shape.length >= 2 && util.sizeFromShape(t.shape.slice(0, -2)) === 1 && t.dtype === 'float32';
  if ((transposeA || transposeB) && single(a) && single(b)) {
    const [a0, a1] = a.shape.slice(-2);
    const [b0, b1] = b.shape.slice(-2);
    const [M, K] = transposeA ? [a1, a0] : [a0, a1];
    const N = transposeB ? b0 : b1;
    if ((transposeB ? b1 : b0) !== K) throw new Error(`BatchMatMul: inner dimensions ${K} and ${transposeB ? b1 : b0} differ`);
    return matMulSimd(asWasmBackend(args.backend), a, b, { M, K, N }, transposeA, transposeB, [...a.shape.slice(0, -2), M, N]);
  }
  return stockWasmKernel(BatchMatMul)(args as Parameters<KernelFunc>[0]) as TensorInfo;
}

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulWasm as KernelFunc,
  setupFunc: (backend) => stockWasmKernelConfig(BatchMatMul).setupFunc?.(backend),
};
