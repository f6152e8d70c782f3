/**
 * wasm CvaeSigmoidCrossEntropy and its logits gradient (conv.c): one pass over the logits with
 * vectorised exp and log1p (Cephes' polynomials, ~1 ulp) and float64 row sums, where tfjs composes
 * eight elementwise kernels (scalar exp and log1p) and a Sum forward, and about fifteen backward.
 * The labels are read per group of `repeat` rows, so IWAE's k samples need no tiled copy of each image.
 */
import { KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD, SigmoidCrossEntropyAttrs } from '../fused/names';
import { convSimdKernels } from './simd/conv-module';
import { allocate, asWasmBackend, heapPointer } from './heap';

/** Rows, columns and the checked repeat of logits against labels. */
export function crossEntropyLayout(logits: TensorInfo, labels: TensorInfo, repeat: number, kernelName: string): { R: number; C: number } {
  const R = logits.shape[0];
  const C = util.sizeFromShape(logits.shape.slice(1));
  const labelsC = util.sizeFromShape(labels.shape.slice(1));
  if (!Number.isInteger(repeat) || repeat < 1 || labels.shape[0] * repeat !== R || labelsC !== C) {
    throw new Error(`${kernelName}: labels [${labels.shape}] do not match logits [${logits.shape}] with repeat ${repeat}`);
  }
  return { R, C };
}

export function sigmoidCrossEntropyWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const logits = input(args.inputs, 'logits', SIGMOID_CROSS_ENTROPY);
  const labels = input(args.inputs, 'labels', SIGMOID_CROSS_ENTROPY);
  const { repeat } = args.attrs as unknown as SigmoidCrossEntropyAttrs;
  const { R, C } = crossEntropyLayout(logits, labels, repeat, SIGMOID_CROSS_ENTROPY);
  const out = allocate(backend, [R]);
  convSimdKernels(backend.wasm.asm.memory).cvae_sigmoid_cross_entropy(heapPointer(backend, logits), heapPointer(backend, labels), R, C, repeat, heapPointer(backend, out));
  return out;
}

export function sigmoidCrossEntropyGradWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = input(args.inputs, 'dy', SIGMOID_CROSS_ENTROPY_GRAD);
  const logits = input(args.inputs, 'logits', SIGMOID_CROSS_ENTROPY_GRAD);
  const labels = input(args.inputs, 'labels', SIGMOID_CROSS_ENTROPY_GRAD);
  const { repeat } = args.attrs as unknown as SigmoidCrossEntropyAttrs;
  const { R, C } = crossEntropyLayout(logits, labels, repeat, SIGMOID_CROSS_ENTROPY_GRAD);
  if (dy.shape.length !== 1 || dy.shape[0] !== R) throw new Error(`${SIGMOID_CROSS_ENTROPY_GRAD}: dy [${dy.shape}] is not [${R}]`);
  const dlogits = allocate(backend, [...logits.shape]);
  convSimdKernels(backend.wasm.asm.memory).cvae_sigmoid_cross_entropy_grad(
    heapPointer(backend, dy), heapPointer(backend, logits), heapPointer(backend, labels), R, C, repeat, heapPointer(backend, dlogits),
  );
  return dlogits;
}

export const sigmoidCrossEntropyWasmConfig: KernelConfig = { kernelName: SIGMOID_CROSS_ENTROPY, backendName: 'wasm', kernelFunc: sigmoidCrossEntropyWasm as KernelFunc };
export const sigmoidCrossEntropyGradWasmConfig: KernelConfig = { kernelName: SIGMOID_CROSS_ENTROPY_GRAD, backendName: 'wasm', kernelFunc: sigmoidCrossEntropyGradWasm as KernelFunc };
