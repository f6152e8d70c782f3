/**
 * cpu Conv2DBackpropFilter: dW[K, co] = colsT[K, M] · dy[M, co] with a blocked JS
 * matmul (tfjs-cpu's loop takes ~90 s per CVAE training step at batch 100).
 */
import { Conv2DBackpropFilter, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { isChannelsFirst, originalKernel } from '../originals';
import { backpropFilterArgs, KernelArgs } from '../kernel-args';
import { im2colTransposed } from '../im2col';
import { matMulInto } from '../matmul';
import { asCpuBackend, float32Values } from './cpu-data';

export function conv2DBackpropFilterCpu(args: KernelArgs): TensorInfo {
  const stock = isChannelsFirst(args.attrs) ? originalKernel(Conv2DBackpropFilter, 'cpu') : undefined;
  if (stock !== undefined) return stock(args as Parameters<KernelFunc>[0]) as TensorInfo;
  const backend = asCpuBackend(args.backend);
  const { x, dy, filterShape, g, K, M } = backpropFilterArgs(args);

  const colsT = new Float32Array(K * M);
  im2colTransposed(g, float32Values(backend, x), 0, colsT, 0);
  const dW = new Float32Array(K * g.outChannels);
  matMulInto(colsT, float32Values(backend, dy), dW, K, M, g.outChannels);
  return backend.makeTensorInfo([...filterShape], 'float32', dW);
}

export const conv2DBackpropFilterCpuConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2DBackpropFilterCpu as KernelConfig['kernelFunc'],
};
