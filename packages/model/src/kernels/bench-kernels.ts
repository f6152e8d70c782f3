/**
 * Times the CVAE's conv kernel calls (batch 100) and full training steps, stock
 * tfjs vs cvae kernels, on wasm and cpu. Usage (from /work/main):
 *   npx tsc ... or any TS runner:  node <runner> packages/model/src/kernels/bench-kernels.ts [wasm|cpu] [stock|cvae] [steps]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { registerCvaeKernels } from './index';
import { buildCvaeLike, cvaeLoss, syntheticBatch } from './test-utils/cvae-like';
import { ConvCase, convKernelCall } from './test-utils/kernel-harness';

type ConvKernel = 'Conv2D' | 'Conv2DBackpropFilter' | 'Conv2DBackpropInput';

interface BenchCall {
  kernel: ConvKernel;
  label: string;
  conv: ConvCase;
}

/** Every conv kernel call of one CVAE training step at batch 100, as forward-conv geometries. */
function cvaeCalls(batch: number): BenchCall[] {
  const c = (label: string, xShape: ConvCase['xShape'], filterShape: ConvCase['filterShape'], strides: number, pad: 'same' | 'valid'): ConvCase => ({ label, xShape, filterShape, strides, pad });
  const enc1 = c('enc1 28x28x1->32 s2 valid', [batch, 28, 28, 1], [3, 3, 1, 32], 2, 'valid');
  const enc2 = c('enc2 13x13x32->64 s2 valid', [batch, 13, 13, 32], [3, 3, 32, 64], 2, 'valid');
  // A Conv2DTranspose is the Conv2DBackpropInput of the conv from its output to its input.
  const dec1 = c('dec1 7x7x32->14x14x64 (T)', [batch, 14, 14, 64], [3, 3, 64, 32], 2, 'same');
  const dec2 = c('dec2 14x14x64->28x28x32 (T)', [batch, 28, 28, 32], [3, 3, 32, 64], 2, 'same');
  const dec3 = c('dec3 28x28x32->28x28x1 (T)', [batch, 28, 28, 1], [3, 3, 1, 32], 1, 'same');
  const calls: BenchCall[] = [];
  for (const conv of [enc1, enc2, dec1, dec2, dec3]) {
    const isTranspose = conv.label.includes('(T)');
    calls.push({ kernel: isTranspose ? 'Conv2DBackpropInput' : 'Conv2D', label: `${conv.label} forward`, conv });
    calls.push({ kernel: 'Conv2DBackpropFilter', label: `${conv.label} dW`, conv });
    if (conv !== enc1) calls.push({ kernel: isTranspose ? 'Conv2D' : 'Conv2DBackpropInput', label: `${conv.label} dInput`, conv });
  }
  return calls;
}

/** Fastest of `repeats` runs after one warm-up: the machine is shared, so the minimum is the stable number. */
function timeMs(fn: () => void, repeats: number): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function benchKernels(backendName: string, repeats: number): void {
  for (const call of cvaeCalls(100)) {
    const { inputs, attrs } = convKernelCall(call.kernel, call.conv, 1);
    const kernel = getKernel(call.kernel, backendName);
    if (kernel == null) {
      console.log(`${call.kernel.padEnd(21)} ${call.label.padEnd(40)} not registered`);
      continue;
    }
    // Inputs are written once so the timing covers the kernel alone.
    const backend = tf.findBackend(backendName) as KernelBackend;
    const infos: Record<string, TensorInfo> = {};
    for (const [name, t] of Object.entries(inputs)) infos[name] = { dataId: backend.write(t.values, t.shape, 'float32'), shape: t.shape, dtype: 'float32' };
    const ms = timeMs(() => {
      const out = kernel.kernelFunc({ inputs: infos, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
      backend.disposeData(out.dataId);
    }, repeats);
    for (const info of Object.values(infos)) backend.disposeData(info.dataId);
    console.log(`${call.kernel.padEnd(21)} ${call.label.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms`);
  }
}

function benchStep(steps: number): void {
  const model = buildCvaeLike(2, 1);
  const { x, eps } = syntheticBatch(100, 2, 3);
  const optimizer = tf.train.adam(1e-4);
  const step = (): void => {
    const loss = optimizer.minimize(() => cvaeLoss(model, x, eps), true, model.variables);
    loss?.dataSync();
    loss?.dispose();
  };
  const ms = timeMs(step, steps);
  console.log(`full training step (batch 100, latent 2), best of ${steps}: ${ms.toFixed(1)} ms; tensors ${tf.memory().numTensors}`);
  tf.dispose([x, eps]);
  optimizer.dispose();
}

async function main(): Promise<void> {
  const [backendName = 'wasm', variant = 'cvae', stepsArg = '5'] = process.argv.slice(2);
  await tf.setBackend(backendName);
  await tf.ready();
  if (variant === 'cvae') registerCvaeKernels(backendName);
  const repeats = backendName === 'cpu' && variant === 'stock' ? 1 : 5;
  console.log(`backend ${backendName}, ${variant} kernels`);
  benchKernels(backendName, repeats);
  if (Number(stepsArg) > 0) benchStep(Number(stepsArg));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
