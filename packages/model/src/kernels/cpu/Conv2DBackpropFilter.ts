/**
 * cpu Conv2DBackpropFilter: dW[K, co] = colsT[K, M] · dy[M, co] with a blocked JS
 * matmul (tfjs-cpu's loop takes ~90 s per CVAE training step at batch 100).
 */
import { Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { input } from '../kernel-args';
import { Conv4D, convGeometry, patchCount, patchSize } from '../conv-geometry';
import { im2colTransposed } from '../im2col';
import { matMulInto } from '../matmul';
import { asCpuBackend, float32Values } from './cpu-data';

export function conv2DBackpropFilterCpu(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = asCpuBackend(args.backend);
  const x = input(args.inputs, 'x', Conv2DBackpropFilter);
  const dy = input(args.inputs, 'dy', Conv2DBackpropFilter);
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = convGeometry(x.shape as Conv4D, attrs.filterShape, attrs, Conv2DBackpropFilter);
  const K = patchSize(g);
  const M = patchCount(g);

  const colsT = new Float32Array(K * M);
  im2colTransposed(g, float32Values(backend, x), 0, colsT, 0);
  const dW = new Float32Array(K * g.outChannels);
  matMulInto(colsT, float32Values(backend, dy), dW, K, M, g.outChannels);
  return backend.makeTensorInfo([...attrs.filterShape], 'float32', dW);
}

export const conv2DBackpropFilterCpuConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2DBackpropFilterCpu as KernelConfig['kernelFunc'],
};
