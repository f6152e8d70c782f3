/**
 * cpu Conv2DBackpropInput: dCols[M, K] = dy[M, co] · filterT[co, K] (blocked JS
 * matmul), then col2im scatters dCols into dx [b, h, w, ci].
 */
import { Conv2DBackpropInput, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { isChannelsFirst, originalKernel } from '../originals';
import { backpropInputArgs, KernelArgs } from '../kernel-args';
import { col2imAdd, transposeMatrix } from '../im2col';
import { matMulInto } from '../matmul';
import { asCpuBackend, float32Values } from './cpu-data';

export function conv2DBackpropInputCpu(args: KernelArgs): TensorInfo {
  const stock = isChannelsFirst(args.attrs) ? originalKernel(Conv2DBackpropInput, 'cpu') : undefined;
  if (stock !== undefined) return stock(args as Parameters<KernelFunc>[0]) as TensorInfo;
  const backend = asCpuBackend(args.backend);
  const { dy, filter, inputShape, g, K, M, C } = backpropInputArgs(args);

  const filterT = new Float32Array(C * K);
  transposeMatrix(float32Values(backend, filter), 0, K, C, filterT, 0);
  const dCols = new Float32Array(M * K);
  matMulInto(float32Values(backend, dy), filterT, dCols, M, C, K);
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.inChannels);
  col2imAdd(g, dCols, 0, dx, 0);
  return backend.makeTensorInfo(inputShape, 'float32', dx);
}

export const conv2DBackpropInputCpuConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'cpu',
  kernelFunc: conv2DBackpropInputCpu as KernelConfig['kernelFunc'],
};
