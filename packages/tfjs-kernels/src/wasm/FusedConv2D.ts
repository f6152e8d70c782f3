/**
 * wasm FusedConv2D (tfjs's conv + bias + activation, what a tf.layers conv2d runs outside gradient
 * recording) and this package's CvaeFusedConv2D (the same with a gradient, see fused/): conv.wasm
 * with the bias and a linear/relu activation applied in the tile epilogue, so the result is written
 * once. Bit-identical to conv.wasm's Conv2D followed by tfjs's Add and Relu. Shapes conv.wasm does
 * not tile, other activations, PReLU weights or a bias that is not one value per channel go to
 * tfjs-wasm's own FusedConv2D (XNNPACK).
 */
import { FusedConv2D, FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { Conv4D, convGeometry } from '../conv-geometry';
import { FUSED_CONV2D } from '../fused/names';
import { conv2DSimd } from './simd/conv-simd';
import { asWasmBackend, stockWasmKernel, stockWasmKernelConfig } from './heap';

/** A bias conv.wasm's epilogue takes: none, or one value per output channel. */
export function isChannelBias(bias: TensorInfo | undefined, channels: number): boolean {
  return bias == null || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === channels);
}

export function fusedConv2DWasm(args: KernelArgs): TensorInfo {
  const x = input(args.inputs, 'x', FusedConv2D);
  const filter = input(args.inputs, 'filter', FusedConv2D);
  const { bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  const activation = attrs.activation ?? 'linear';
  const fusable = (activation === 'linear' || activation === 'relu') && preluActivationWeights == null;
  if (fusable && (attrs.dataFormat ?? 'NHWC') === 'NHWC' && x.dtype === 'float32' && isChannelBias(bias, filter.shape[3])) {
    const g = convGeometry(x.shape as Conv4D, filter.shape as Conv4D, { ...attrs, dataFormat: 'NHWC' }, FusedConv2D);
    const y = conv2DSimd(asWasmBackend(args.backend), g, x, filter, { bias, activation });
    if (y != null) return y;
  }
  return stockWasmKernel(FusedConv2D)({ ...args, attrs: { ...args.attrs, dataFormat: attrs.dataFormat ?? 'NHWC', dilations: attrs.dilations ?? 1 } } as Parameters<KernelFunc>[0]) as TensorInfo;
}

// The stock FusedConv2D we fall back to binds its wasm function in its setup func, which the backend
// runs only for kernels registered when it initialises: run it from ours.
const setupStock: KernelConfig['setupFunc'] = (backend) => stockWasmKernelConfig(FusedConv2D).setupFunc?.(backend);

export const fusedConv2DWasmConfig: KernelConfig = { kernelName: FusedConv2D, backendName: 'wasm', kernelFunc: fusedConv2DWasm as KernelFunc, setupFunc: setupStock };

/** The layer kernel with a gradient (fused/gradients.ts); its attrs are FusedConvAttrs, a subset of FusedConv2D's. */
export const cvaeFusedConv2DWasmConfig: KernelConfig = { kernelName: FUSED_CONV2D, backendName: 'wasm', kernelFunc: fusedConv2DWasm as KernelFunc, setupFunc: setupStock };
