/** tfjs's own kernels that ours replaced, kept so ours can hand them what they do not support. */
import type { KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';

const originals = new Map<string, KernelFunc>();

function key(kernelName: string, backendName: string): string {
  return `${backendName}/${kernelName}`;
}

export function rememberOriginal(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  originals.set(key(kernelName, backendName), kernelFunc);
}

/** tfjs's own kernel function as it was before registerTrainingKernels replaced it (undefined if there was none). */
export function originalKernel(kernelName: string, backendName: string): KernelFunc | undefined {
  return originals.get(key(kernelName, backendName));
}

/** Our conv kernels work on NHWC; an NCHW call goes to tfjs's own kernel, which handles it. */
export function isChannelsFirst(attrs: NamedAttrMap | undefined): boolean {
  const format = (attrs as { dataFormat?: 'NHWC' | 'NCHW' } | undefined)?.dataFormat ?? 'NHWC';
  return backend_util.convertConv2DDataFormat(format) === 'channelsFirst';
}
