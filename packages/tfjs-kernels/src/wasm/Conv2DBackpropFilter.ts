/**
 * wasm Conv2DBackpropFilter (absent from tfjs-backend-wasm 4.22, so training threw).
 *
 * conv.wasm's register-tiled kernel when out channels % 8 == 0 (simd/conv.c); otherwise:
 * dW[K, co] = colsT[K, M] · dy[M, co], where colsT is the im2col matrix of x
 * written already transposed in JS, and dy [b, oh, ow, co] is read in place as
 * [M, co]. One plain XNNPACK matmul; dW [K, co] is exactly the filter layout
 * [fh, fw, ci, co].
 */
import { Conv2DBackpropFilter, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { backpropFilterArgs, KernelArgs } from '../kernel-args';
import { im2colTransposed } from '../im2col';
import { conv2DBackpropFilterSimd } from './simd/conv-simd';
import { allocate, asWasmBackend, heapF32, heapIndex, release, wasmMatMul, withShape } from './heap';

export function conv2DBackpropFilterWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy, filterShape, g, K, M } = backpropFilterArgs(args);
  const simd = conv2DBackpropFilterSimd(backend, g, x, dy);
  if (simd != null) return simd;

  const colsT = allocate(backend, [1, K, M]);
  im2colTransposed(g, heapF32(backend), heapIndex(backend, x), heapF32(backend), heapIndex(backend, colsT));
  const dW = wasmMatMul(backend, colsT, withShape(dy, [1, M, g.outChannels]));
  release(backend, colsT);
  dW.shape = [...filterShape];
  return dW;
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as KernelConfig['kernelFunc'],
};
