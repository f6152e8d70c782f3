/**
 * Kernels that make CVAE training fast (or possible at all) on tfjs's wasm and
 * cpu backends. `registerCvaeKernels(backend)` installs them into tfjs's kernel
 * registry, replacing the stock kernel of the same name when there is one.
 */
import { getKernel, KernelConfig, KernelFunc, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasmConfig } from './wasm/Conv2DBackpropFilter';
import { conv2DBackpropInputWasmConfig } from './wasm/Conv2DBackpropInput';
import { conv2DWasmConfig } from './wasm/Conv2D';
import { conv2DCpuConfig } from './cpu/Conv2D';
import { conv2DBackpropFilterCpuConfig } from './cpu/Conv2DBackpropFilter';
import { conv2DBackpropInputCpuConfig } from './cpu/Conv2DBackpropInput';
import { sumWasmConfig } from './wasm/Sum';
import { captureStockWasmKernels } from './wasm/heap';
import { convSimdBuild } from './wasm/simd/conv-module';

export { convSimdBuild } from './wasm/simd/conv-module';
export type { ConvSimdBuild } from './wasm/simd/conv-module';

/** What runs the convolutions on `backendName`, for benchmark output and logs. */
export function convKernelsDescription(backendName: string): string {
  if (backendName === 'wasm') return `conv.wasm ${convSimdBuild()}`;
  if (backendName === 'cpu') return 'cvae im2col (JS)';
  return `${backendName} (tfjs)`;
}

export type CvaeKernelBackend = 'wasm' | 'cpu';

export const CVAE_KERNELS: Readonly<Record<CvaeKernelBackend, readonly KernelConfig[]>> = {
  wasm: [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig, conv2DWasmConfig, sumWasmConfig],
  cpu: [conv2DBackpropFilterCpuConfig, conv2DBackpropInputCpuConfig, conv2DCpuConfig],
};

/** The names of the kernels registered per backend, e.g. for logs and docs. */
export const CVAE_KERNEL_NAMES: Readonly<Record<CvaeKernelBackend, readonly string[]>> = {
  wasm: CVAE_KERNELS.wasm.map((k) => k.kernelName),
  cpu: CVAE_KERNELS.cpu.map((k) => k.kernelName),
};

const originals = new Map<string, KernelFunc>();
const registered = new Set<string>();

function key(kernelName: string, backendName: string): string {
  return `${backendName}/${kernelName}`;
}

/** tfjs's own kernel function as it was before registerCvaeKernels replaced it (undefined if there was none). */
export function originalKernel(kernelName: string, backendName: string): KernelFunc | undefined {
  return originals.get(key(kernelName, backendName));
}

function install(config: KernelConfig): void {
  const stock = getKernel(config.kernelName, config.backendName);
  if (stock != null) {
    originals.set(key(config.kernelName, config.backendName), stock.kernelFunc);
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

function isCvaeKernelBackend(name: string): name is CvaeKernelBackend {
  return name === 'wasm' || name === 'cpu';
}

/**
 * Installs the cvae kernels for `backendName` (idempotent). Backends without
 * cvae kernels (e.g. 'tensorflow') are left untouched. Returns the kernel names
 * that are now ours.
 */
export function registerCvaeKernels(backendName: string): readonly string[] {
  if (!isCvaeKernelBackend(backendName)) return [];
  if (!registered.has(backendName)) {
    if (backendName === 'wasm') captureStockWasmKernels();
    for (const config of CVAE_KERNELS[backendName]) install(config);
    registered.add(backendName);
  }
  return CVAE_KERNEL_NAMES[backendName];
}
