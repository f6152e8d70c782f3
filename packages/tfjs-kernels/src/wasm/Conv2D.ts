/**
 * wasm Conv2D: conv.wasm's register-tiled kernel (simd/conv.c) when out channels % 8 == 0,
 * ~20 % faster than tfjs-wasm's XNNPACK conv here; tfjs-wasm's own kernel otherwise.
 */
import { Conv2D, Conv2DAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { Conv4D, convGeometry } from '../conv-geometry';
import { conv2DSimd } from './simd/conv-simd';
import { asWasmBackend, stockWasmKernel, stockWasmKernelConfig } from './heap';

export function conv2DWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = input(args.inputs, 'x', Conv2D);
  const filter = input(args.inputs, 'filter', Conv2D);
  const attrs = args.attrs as unknown as Conv2DAttrs;
  if (attrs.dataFormat === 'NHWC' && x.dtype === 'float32') {
    const g = convGeometry(x.shape as Conv4D, filter.shape as Conv4D, attrs, Conv2D);
    const y = conv2DSimd(backend, g, x, filter);
    if (y != null) return y;
  }
  return stockWasmKernel(Conv2D)(args as Parameters<ReturnType<typeof stockWasmKernel>>[0]) as TensorInfo;
}

export const conv2DWasmConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2DWasm as KernelConfig['kernelFunc'],
  // The stock Conv2D we fall back to (and the sub-pixel path calls) binds its wasm function in its setup
  // func, which the backend runs only for kernels registered when it initialises: run it from ours.
  setupFunc: (backend) => stockWasmKernelConfig(Conv2D).setupFunc?.(backend),
};
