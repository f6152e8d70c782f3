/**
 * wasm CvaeFusedConv2DTranspose: act(conv2dTranspose(x, filter) + bias), a tf.layers
 * conv2dTranspose layer in one kernel. conv.wasm's input-gradient kernels apply the bias and the
 * activation in their epilogue (bit-identical to Conv2DBackpropInput, Add and Relu); for shapes
 * they do not take, our Conv2DBackpropInput kernel runs and the bias and activation follow in place
 * (its output is a fresh buffer, so nothing else sees the write).
 */
import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { Conv4D, convGeometry } from '../conv-geometry';
import { FUSED_CONV2D_TRANSPOSE, FusedConvTransposeAttrs, tfjsConvAttrs } from '../fused/names';
import { conv2DBackpropInputSimd } from './simd/conv-simd';
import { conv2DBackpropInputWasm } from './Conv2DBackpropInput';
import { isChannelBias } from './FusedConv2D';
import { asWasmBackend, heapF32, heapIndex, WasmHeapBackend } from './heap';

export function fusedConv2DTransposeWasm(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = input(args.inputs, 'x', FUSED_CONV2D_TRANSPOSE);
  const filter = input(args.inputs, 'filter', FUSED_CONV2D_TRANSPOSE);
  const bias = args.inputs['bias'];
  const { outputShape, strides, pad, activation } = args.attrs as unknown as FusedConvTransposeAttrs;
  const channels = outputShape[3];
  if (!isChannelBias(bias, channels)) throw new Error(`${FUSED_CONV2D_TRANSPOSE}: bias must be float32 [${channels}], got [${bias?.shape}]`);
  const attrs = tfjsConvAttrs(strides, pad);
  const g = convGeometry(outputShape, filter.shape as Conv4D, attrs, FUSED_CONV2D_TRANSPOSE);
  const fused = conv2DBackpropInputSimd(backend, g, x, filter, { bias, activation });
  if (fused != null) return fused;
  const y = conv2DBackpropInputWasm({ inputs: { dy: x, filter }, backend, attrs: { ...attrs, inputShape: outputShape } });
  biasActivationInPlace(backend, y, bias, channels, activation === 'relu');
  return y;
}

function biasActivationInPlace(backend: WasmHeapBackend, y: TensorInfo, bias: TensorInfo | undefined, channels: number, relu: boolean): void {
  const heap = heapF32(backend);
  const start = heapIndex(backend, y);
  const end = start + y.shape.reduce((a, b) => a * b, 1);
  const b = bias == null ? null : heapF32(backend).subarray(heapIndex(backend, bias), heapIndex(backend, bias) + channels);
  for (let i = start, c = 0; i < end; i++, c = c + 1 === channels ? 0 : c + 1) {
    const v = b == null ? heap[i] : Math.fround(heap[i] + b[c]);
    heap[i] = relu && v < 0 ? 0 : v;
  }
}

export const fusedConv2DTransposeWasmConfig: KernelConfig = {
  kernelName: FUSED_CONV2D_TRANSPOSE,
  backendName: 'wasm',
  kernelFunc: fusedConv2DTransposeWasm as KernelFunc,
};
