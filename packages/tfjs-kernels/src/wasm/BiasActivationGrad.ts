/**
 * wasm CvaeBiasActivationGrad: the backward pass of y = act(z + bias) in one pass over dy (conv.c's
 * cvae_bias_act_grad): dz = dy · act'(y) and dbias = Σ dz over every axis but the last, in float64
 * like our Sum. Replaces tfjs's relu gradient (Step, Cast, Multiply) and the bias gradient's Sum.
 */
import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { input, KernelArgs } from '../kernel-args';
import { BIAS_ACTIVATION_GRAD, BiasActivationGradAttrs } from '../fused/names';
import { biasActivationGradSimd } from './simd/conv-simd';
import { asWasmBackend } from './heap';

export function biasActivationGradWasm(args: KernelArgs): TensorInfo[] {
  const dy = input(args.inputs, 'dy', BIAS_ACTIVATION_GRAD);
  const y = input(args.inputs, 'y', BIAS_ACTIVATION_GRAD);
  const { activation } = args.attrs as unknown as BiasActivationGradAttrs;
  if (dy.shape.join() !== y.shape.join()) throw new Error(`${BIAS_ACTIVATION_GRAD}: dy [${dy.shape}] and y [${y.shape}] differ`);
  return biasActivationGradSimd(asWasmBackend(args.backend), dy, y, dy.shape[dy.shape.length - 1], activation);
}

export const biasActivationGradWasmConfig: KernelConfig = {
  kernelName: BIAS_ACTIVATION_GRAD,
  backendName: 'wasm',
  kernelFunc: biasActivationGradWasm as unknown as KernelFunc,
};
