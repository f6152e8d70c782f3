/**
 * Kernels that make training fast (or possible at all) on tfjs's wasm and cpu backends.
 * `registerTrainingKernels(backend)` installs them into tfjs's kernel registry, replacing the
 * stock kernel of the same name when there is one.
 */
import { engine, getKernel, KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { rememberOriginal } from './originals';
import { conv2DBackpropFilterWasmConfig } from './wasm/Conv2DBackpropFilter';
import { conv2DBackpropInputWasmConfig } from './wasm/Conv2DBackpropInput';
import { conv2DWasmConfig } from './wasm/Conv2D';
import { conv2DCpuConfig } from './cpu/Conv2D';
import { conv2DBackpropFilterCpuConfig } from './cpu/Conv2DBackpropFilter';
import { conv2DBackpropInputCpuConfig } from './cpu/Conv2DBackpropInput';
import { sumWasmConfig } from './wasm/Sum';
import { cvaeFusedConv2DWasmConfig, fusedConv2DWasmConfig } from './wasm/FusedConv2D';
import { fusedConv2DTransposeWasmConfig } from './wasm/FusedConv2DTranspose';
import { fusedMatMulWasmConfig } from './wasm/FusedMatMul';
import { biasActivationGradWasmConfig } from './wasm/BiasActivationGrad';
import { batchMatMulWasmConfig } from './wasm/BatchMatMul';
import { identityWasmConfig } from './wasm/Identity';
import { sigmoidCrossEntropyGradWasmConfig, sigmoidCrossEntropyWasmConfig } from './wasm/SigmoidCrossEntropy';
import { registerFusedGradients } from './fused/gradients';
import { captureStockWasmKernels } from './wasm/heap';
import { convSimdBuild } from './wasm/simd/conv-module';

export { convSimdBuild } from './wasm/simd/conv-module';
export { originalKernel } from './originals';
export type { ConvSimdBuild } from './wasm/simd/conv-module';

/** What runs the convolutions on `backendName`, for benchmark output and logs. */
export function convKernelsDescription(backendName: string): string {
  if (backendName === 'wasm') return process.env['CVAE_WASM_CONV'] === 'xnnpack' ? 'xnnpack + im2col (conv.wasm off)' : `conv.wasm ${convSimdBuild()}`;
  if (backendName === 'cpu') return 'cvae im2col (JS)';
  return `${backendName} (tfjs)`;
}

export type TrainingKernelBackend = 'wasm' | 'cpu';

export const TRAINING_KERNELS: Readonly<Record<TrainingKernelBackend, readonly KernelConfig[]>> = {
  wasm: [
    conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig, conv2DWasmConfig, sumWasmConfig,
    fusedConv2DWasmConfig, batchMatMulWasmConfig, identityWasmConfig,
    // The layer kernels (fused/names.ts): this package's own names, with gradients.
    cvaeFusedConv2DWasmConfig, fusedConv2DTransposeWasmConfig, fusedMatMulWasmConfig, biasActivationGradWasmConfig,
    sigmoidCrossEntropyWasmConfig, sigmoidCrossEntropyGradWasmConfig,
  ],
  cpu: [conv2DBackpropFilterCpuConfig, conv2DBackpropInputCpuConfig, conv2DCpuConfig],
};

/** The names of the kernels registered per backend, e.g. for logs and docs. */
export const TRAINING_KERNEL_NAMES: Readonly<Record<TrainingKernelBackend, readonly string[]>> = {
  wasm: TRAINING_KERNELS.wasm.map((k) => k.kernelName),
  cpu: TRAINING_KERNELS.cpu.map((k) => k.kernelName),
};

const registered = new Set<string>();

function install(config: KernelConfig): void {
  const stock = getKernel(config.kernelName, config.backendName);
  if (stock != null) {
    rememberOriginal(config.kernelName, config.backendName, stock.kernelFunc);
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
  // tf.setBackend runs kernel setup funcs; a backend already set up before we registered runs ours now.
  const initialised = engine().registry[config.backendName];
  if (initialised != null) config.setupFunc?.(initialised);
}

function isTrainingKernelBackend(name: string): name is TrainingKernelBackend {
  return name === 'wasm' || name === 'cpu';
}

/**
 * Installs our kernels for `backendName` (idempotent). Backends we have no kernels for (e.g.
 * 'tensorflow', 'webgl') are left untouched. Returns the kernel names that are now ours.
 */
export function registerTrainingKernels(backendName: string): readonly string[] {
  if (!isTrainingKernelBackend(backendName)) return [];
  if (!registered.has(backendName)) {
    if (backendName === 'wasm') {
      captureStockWasmKernels();
      registerFusedGradients();
    }
    for (const config of TRAINING_KERNELS[backendName]) install(config);
    registered.add(backendName);
  }
  return TRAINING_KERNEL_NAMES[backendName];
}
