/**
 * Gradients of the layer kernels (names.ts). A layer y = act(z + bias), z = op(x, W), takes dy to
 * dz = dy · act'(y) and dbias = Σ dz in one kernel (CvaeBiasActivationGrad; for a linear layer dz is
 * dy and dbias our Sum), then dx and dW are tfjs's conv gradient kernels, or transposed matmuls,
 * of dz. Each input's gradient is computed only if the tape asks for it (e.g. never the image's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, engine, GradConfig, getGradient, NamedAttrMap, registerGradient, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { BIAS_ACTIVATION_GRAD, FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, FusedActivation, FusedConvAttrs, FusedConvTransposeAttrs, FusedMatMulAttrs, SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD, SigmoidCrossEntropyAttrs, tfjsConvAttrs } from './names';

/** dz = dy · act'(y) and the bias gradient Σ dz over every axis but the last. */
export function biasActivationGrad(dy: Tensor, y: Tensor, activation: FusedActivation): { dz: Tensor; dbias: Tensor } {
  if (activation === 'linear') return { dz: dy, dbias: tf.sum(dy, dy.shape.slice(0, -1).map((_, axis) => axis)) };
  const [dz, dbias] = engine().runKernel(BIAS_ACTIVATION_GRAD, { dy, y }, { activation }) as Tensor[];
  return { dz, dbias };
}

const conv2dGrad: GradConfig = {
  kernelName: FUSED_CONV2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as Tensor4D[];
    const { strides, pad, activation } = attrs as unknown as FusedConvAttrs;
    const { dz, dbias } = biasActivationGrad(dy as Tensor, y, activation);
    const conv = tfjsConvAttrs(strides, pad);
    return {
      x: () => engine().runKernel(Conv2DBackpropInput, { dy: dz, filter }, { ...conv, inputShape: x.shape }) as Tensor,
      filter: () => engine().runKernel(Conv2DBackpropFilter, { x, dy: dz }, { ...conv, filterShape: filter.shape }) as Tensor,
      bias: () => dbias,
    };
  },
};

const conv2dTransposeGrad: GradConfig = {
  kernelName: FUSED_CONV2D_TRANSPOSE,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as Tensor4D[];
    const { strides, pad, activation } = attrs as unknown as FusedConvTransposeAttrs;
    const { dz, dbias } = biasActivationGrad(dy as Tensor, y, activation);
    const conv = tfjsConvAttrs(strides, pad);
    // The layer is Conv2DBackpropInput(dy = x): its input gradient is a forward conv of dz.
    return {
      x: () => engine().runKernel(Conv2D, { x: dz, filter }, conv as unknown as NamedAttrMap) as Tensor,
      filter: () => engine().runKernel(Conv2DBackpropFilter, { x: dz, dy: x }, { ...conv, filterShape: filter.shape }) as Tensor,
      bias: () => dbias,
    };
  },
};

const matMulGrad: GradConfig = {
  kernelName: FUSED_MATMUL,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, y] = saved as Tensor2D[];
    const { activation } = attrs as unknown as FusedMatMulAttrs;
    const { dz, dbias } = biasActivationGrad(dy as Tensor, y, activation);
    return {
      a: () => tf.matMul(dz as Tensor2D, b, false, true),
      b: () => tf.matMul(a, dz as Tensor2D, true, false),
      bias: () => dbias,
    };
  },
};

const sigmoidCrossEntropyGrad: GradConfig = {
  kernelName: SIGMOID_CROSS_ENTROPY,
  inputsToSave: ['logits', 'labels'],
  gradFunc: (dy, saved, attrs) => {
    const [logits, labels] = saved;
    const { repeat } = attrs as unknown as SigmoidCrossEntropyAttrs;
    return {
      logits: () => engine().runKernel(SIGMOID_CROSS_ENTROPY_GRAD, { dy: dy as Tensor, logits, labels }, { repeat }) as Tensor,
      // d/dx of (−l·x) is −l, summed over the rows that share a label row.
      labels: () => tf.tidy(() => {
        const perRow = tf.mul(tf.neg(logits), tf.reshape(dy as Tensor, [-1, ...logits.shape.slice(1).map(() => 1)]));
        return tf.reshape(tf.sum(tf.reshape(perRow, [labels.shape[0], repeat, -1]), 1), labels.shape);
      }),
    };
  },
};

export const FUSED_GRADIENTS: readonly GradConfig[] = [conv2dGrad, conv2dTransposeGrad, matMulGrad, sigmoidCrossEntropyGrad];

/** Registers the layer kernels' gradients with tfjs (idempotent; gradients are not per backend). */
export function registerFusedGradients(): void {
  for (const config of FUSED_GRADIENTS) if (getGradient(config.kernelName) == null) registerGradient(config);
}
