/**
 * wasm Conv2DBackpropInput (gradient of Conv2D w.r.t. its input, and the forward
 * pass of Conv2DTranspose). Replaces tfjs-wasm's direct loop (~440 ms/step).
 *
 * conv.wasm's kernels first (simd/conv.c: phase-tiled, or dot products for < 8 channels);
 * for shapes they do not take:
 * dCols[M, K] = dy[M, co] · filterT[co, K], then col2im scatters dCols into
 * dx [b, h, w, ci]. filterT is the small filter transposed in JS into a fresh
 * tensor, so the matmul needs no transpose flag (XNNPACK is ~10x slower with one).
 */
import { Conv2DBackpropInput, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { backpropInputArgs, KernelArgs } from '../kernel-args';
import { col2imAdd, transposeMatrix } from '../im2col';
import { conv2DBackpropInputSubPixel } from './subpixel';
import { conv2DBackpropInputSimd } from './simd/conv-simd';
import { allocate, asWasmBackend, heapF32, heapIndex, release, wasmMatMul, withShape } from './heap';

export function conv2DBackpropInputWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter, inputShape, g, K, M, C } = backpropInputArgs(args);
  const simd = conv2DBackpropInputSimd(backend, g, dy, filter);
  if (simd != null) return simd;

  // Strided: XNNPACK sub-pixel convolutions (see subpixel.ts; dec1/dec2 forward ~1.5x faster).
  // Stride 1 stays on matmul + col2im, measured faster for the CVAE's 32->1 output layer.
  const strided = g.strideHeight * g.strideWidth > 1;
  if (strided && process.env['CVAE_WASM_DINPUT'] !== 'col2im') {
    const dx = conv2DBackpropInputSubPixel(backend, g, dy, filter);
    if (dx != null) return dx;
  }

  const filterT = allocate(backend, [1, C, K]);
  transposeMatrix(heapF32(backend), heapIndex(backend, filter), K, C, heapF32(backend), heapIndex(backend, filterT));
  const dCols = wasmMatMul(backend, withShape(dy, [1, M, C]), filterT);
  const dx = allocate(backend, inputShape);
  col2imAdd(g, heapF32(backend), heapIndex(backend, dCols), heapF32(backend), heapIndex(backend, dx));
  release(backend, filterT, dCols);
  return dx;
}

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as KernelConfig['kernelFunc'],
};
