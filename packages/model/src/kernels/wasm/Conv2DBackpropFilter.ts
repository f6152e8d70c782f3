/**
 * wasm Conv2DBackpropFilter (absent from tfjs-backend-wasm 4.22, so training threw).
 *
 * dW[K, co] = colsT[K, M] · dy[M, co], where colsT is the im2col matrix of x
 * written already transposed in JS, and dy [b, oh, ow, co] is read in place as
 * [M, co]. One plain XNNPACK matmul; dW [K, co] is exactly the filter layout
 * [fh, fw, ci, co].
 */
import { Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { input } from '../kernel-args';
import { Conv4D, convGeometry, patchCount, patchSize } from '../conv-geometry';
import { im2colTransposed } from '../im2col';
import { allocate, asWasmBackend, heapF32, heapIndex, release, wasmMatMul, withShape } from './heap';

export function conv2DBackpropFilterWasm(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = input(args.inputs, 'x', Conv2DBackpropFilter);
  const dy = input(args.inputs, 'dy', Conv2DBackpropFilter);
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = convGeometry(x.shape as Conv4D, attrs.filterShape, attrs, Conv2DBackpropFilter);
  const K = patchSize(g);
  const M = patchCount(g);

  const colsT = allocate(backend, [1, K, M]);
  im2colTransposed(g, heapF32(backend), heapIndex(backend, x), heapF32(backend), heapIndex(backend, colsT));
  const dW = wasmMatMul(backend, colsT, withShape(dy, [1, M, g.outChannels]));
  release(backend, colsT);
  dW.shape = [...attrs.filterShape];
  return dW;
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as KernelConfig['kernelFunc'],
};
