/**
 * Layer ops: y = act(op(x, W) + b) for a conv2d, a conv2dTranspose and a dense layer, with the
 * gradient of the whole layer. Where this package registered the layer kernels (wasm) they run as
 * one kernel forward and, backward, one pass for the activation and bias plus the two products
 * (gradients.ts); on other backends (cpu, tfjs-node, webgl) the same ops are composed of tfjs's own
 * fused ops, exactly what a tf.layers layer runs, with tfjs's own gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engine, getKernel, NamedAttrMap, NamedTensorMap, Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, FusedActivation, FusedConvAttrs, FusedConvTransposeAttrs, SIGMOID_CROSS_ENTROPY } from './names';

function registeredHere(kernelName: string): boolean {
  return getKernel(kernelName, tf.getBackend()) != null;
}

function withBias(inputs: NamedTensorMap, bias: Tensor1D | undefined): NamedTensorMap {
  return bias == null ? inputs : { ...inputs, bias };
}

function activate(y: Tensor, activation: FusedActivation): Tensor {
  return activation === 'relu' ? tf.relu(y) : y;
}

/** act(conv2d(x, filter) + bias), NHWC, dilation 1: a tf.layers conv2d layer. */
export function conv2dBiasActivation(x: Tensor4D, filter: Tensor4D, bias: Tensor1D | undefined, attrs: FusedConvAttrs): Tensor4D {
  if (registeredHere(FUSED_CONV2D)) return engine().runKernel(FUSED_CONV2D, withBias({ x, filter }, bias), attrs as unknown as NamedAttrMap) as Tensor4D;
  return tf.fused.conv2d({ x, filter, bias, strides: attrs.strides, pad: attrs.pad, activation: attrs.activation });
}

/** act(conv2dTranspose(x, filter, outputShape) + bias), NHWC: a tf.layers conv2dTranspose layer (filter [KH, KW, out, in]). */
export function conv2dTransposeBiasActivation(x: Tensor4D, filter: Tensor4D, bias: Tensor1D | undefined, attrs: FusedConvTransposeAttrs): Tensor4D {
  if (registeredHere(FUSED_CONV2D_TRANSPOSE)) return engine().runKernel(FUSED_CONV2D_TRANSPOSE, withBias({ x, filter }, bias), attrs as unknown as NamedAttrMap) as Tensor4D;
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(x, filter, attrs.outputShape, attrs.strides, attrs.pad);
    return activate(bias == null ? y : tf.add(y, bias), attrs.activation) as Tensor4D;
  });
}

/** act(x · kernel + bias): a tf.layers dense layer on [batch, in] inputs. */
export function denseBiasActivation(x: Tensor2D, kernel: Tensor2D, bias: Tensor1D | undefined, activation: FusedActivation): Tensor2D {
  if (registeredHere(FUSED_MATMUL)) return engine().runKernel(FUSED_MATMUL, withBias({ a: x, b: kernel }, bias), { activation }) as Tensor2D;
  return tf.fused.matMul({ a: x, b: kernel, bias, activation }) as Tensor2D;
}

/**
 * Σ over every non-batch axis of the sigmoid cross-entropy max(l, 0) − l·x + log(1 + e^−|l|) of
 * `logits` against `labels`, one value per row; each row of `labels` serves `repeat` consecutive
 * rows of `logits` (labels [rows / repeat, ...]). Elsewhere than wasm: tfjs's elementwise ops.
 */
export function sigmoidCrossEntropyRowSums(logits: Tensor, labels: Tensor, repeat = 1): Tensor1D {
  if (registeredHere(SIGMOID_CROSS_ENTROPY)) return engine().runKernel(SIGMOID_CROSS_ENTROPY, { logits, labels }, { repeat }) as Tensor1D;
  return tf.tidy(() => {
    const x = repeat === 1 ? labels : tf.reshape(tf.tile(tf.expandDims(labels, 1), [1, repeat, ...labels.shape.slice(1).map(() => 1)]), logits.shape);
    const perElement = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(perElement, logits.shape.slice(1).map((_, i) => i + 1)) as Tensor1D;
  });
}
