/**
 * wasm Identity without a copy: the output shares the input's buffer (reference-counted by the
 * backend, as tfjs's Reshape on wasm and Identity on cpu already do). tfjs clones every tensor it
 * saves for a gradient through this kernel, and tfjs-wasm's own Identity copies the whole tensor
 * each time (89 copies per CVAE training step). Tensors are immutable in tfjs — Variable.assign
 * rebinds a buffer, kernels write only their fresh outputs — so sharing is safe.
 */
import { Identity, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { stockWasmKernel } from './heap';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function identityWasm(args: KernelArgs): TensorInfo {
  const x = input(args.inputs, 'x', Identity);
  if (x.dtype === 'string') return stockWasmKernel(Identity)(args as Parameters<KernelFunc>[0]) as TensorInfo;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityWasmConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identityWasm as KernelFunc };
