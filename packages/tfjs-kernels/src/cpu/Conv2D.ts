/**
 * cpu Conv2D forward: y[M, co] = cols[M, K] · filter[K, co], with cols the im2col
 * matrix of x; the filter [fh, fw, ci, co] is already the [K, co] operand.
 */
import { Conv2D, Conv2DAttrs, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { isChannelsFirst, originalKernel } from '../originals';
import { input } from '../kernel-args';
import { Conv4D, convGeometry, patchCount, patchSize } from '../conv-geometry';
import { im2col } from '../im2col';
import { matMulInto } from '../matmul';
import { asCpuBackend, float32Values } from './cpu-data';

export function conv2DCpu(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const stock = isChannelsFirst(args.attrs) ? originalKernel(Conv2D, 'cpu') : undefined;
  if (stock !== undefined) return stock(args as Parameters<KernelFunc>[0]) as TensorInfo;
  const backend = asCpuBackend(args.backend);
  const x = input(args.inputs, 'x', Conv2D);
  const filter = input(args.inputs, 'filter', Conv2D);
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const g = convGeometry(x.shape as Conv4D, filter.shape as Conv4D, attrs, Conv2D);
  const K = patchSize(g);
  const M = patchCount(g);

  const cols = new Float32Array(M * K);
  im2col(g, float32Values(backend, x), 0, cols, 0);
  const y = new Float32Array(M * g.outChannels);
  matMulInto(cols, float32Values(backend, filter), y, M, K, g.outChannels);
  return backend.makeTensorInfo([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32', y);
}

export const conv2DCpuConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'cpu',
  kernelFunc: conv2DCpu as KernelConfig['kernelFunc'],
};
