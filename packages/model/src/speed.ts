/**
 * The CVAE's arithmetic (floating-point operations, from the architecture) and the convolution
 * kernels' speed on this thread, so benchmarks can report GFLOP/s against what the kernels reach.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dTransposeBiasActivation } from '@cvae/tfjs-kernels';
import { Architecture, LayerSpec, layerShapes } from './architecture';

/** Forward FLOPs of one layer for one image (2 per multiply-add; convolutions and dense layers only). */
export interface LayerFlops {
  name: string;
  forward: number;
}

/** Every layer's forward FLOPs per image: the encoder's, then the decoder's. */
export function layerFlops(architecture: Architecture): { encoder: LayerFlops[]; decoder: LayerFlops[] } {
  return { encoder: walk(architecture.encoder, [...architecture.inputShape]), decoder: walk(architecture.decoder, [architecture.latentDim]) };
}

function walk(specs: LayerSpec[], inputShape: number[]): LayerFlops[] {
  const inputs = [inputShape, ...layerShapes(specs, inputShape, 'flops')];
  return specs.flatMap((spec, i) => {
    const macs = multiplyAdds(spec, inputs[i], inputs[i + 1]);
    return macs > 0 ? [{ name: spec.name, forward: 2 * macs }] : [];
  });
}

/** Multiply-adds of a layer on one image from `input` to `output` (HWC, or [features]). */
function multiplyAdds(spec: LayerSpec, input: number[], output: number[]): number {
  switch (spec.kind) {
    case 'conv2d':
      return output[0] * output[1] * spec.filters * spec.kernelSize ** 2 * input[2];
    case 'conv2dTranspose':
      // Every input pixel meets every tap once: the same multiply-adds as the conv it is the gradient of.
      return input[0] * input[1] * input[2] * spec.kernelSize ** 2 * spec.filters;
    case 'dense':
      return input[0] * spec.units;
    default:
      return 0;
  }
}

const sum = (layers: LayerFlops[]) => layers.reduce((total, l) => total + l.forward, 0);

/** FLOPs per image of: a training step (forward, weight gradients, input gradients but the image's), the encoder, one decode. */
export function cvaeFlops(architecture: Architecture): { trainingStep: number; encode: number; decode: number } {
  const { encoder, decoder } = layerFlops(architecture);
  const forward = sum(encoder) + sum(decoder);
  return { trainingStep: 3 * forward - encoder[0].forward, encode: sum(encoder), decode: sum(decoder) };
}

/**
 * GFLOP/s of the convolution kernels on this thread, at their best: the CVAE's largest layer (a
 * 3x3 stride-2 transposed conv, 14x14x64 -> 28x28x32, batch 32) timed `calls` times, fastest call
 * in CPU time. Backend-agnostic; about 0.3 s on wasm.
 */
export function measureConvPeakGflops(calls = 7): number {
  const batch = 32;
  const x = tf.randomUniform([batch, 14, 14, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
  const filter = tf.randomUniform([3, 3, 32, 64], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  const bias = tf.zeros([32]) as tf.Tensor1D;
  const flops = 2 * batch * 14 * 14 * 64 * 9 * 32;
  let best = Infinity;
  try {
    for (let i = 0; i < calls + 1; i++) {
      const started = process.cpuUsage();
      const y = conv2dTransposeBiasActivation(x, filter, bias, { outputShape: [batch, 28, 28, 32], strides: 2, pad: 'same', activation: 'relu' });
      y.dataSync();
      const used = process.cpuUsage(started);
      y.dispose();
      if (i > 0) best = Math.min(best, (used.user + used.system) / 1e6);
    }
  } finally {
    tf.dispose([x, filter, bias]);
  }
  return flops / best / 1e9;
}

/** Arithmetic throughput of a run against the kernels' measured peak on all of its threads. */
export interface Throughput {
  /** Convolution and dense FLOPs per image of the task. */
  gflopPerImage: number;
  gflopsPerSecond: number;
  /** measureConvPeakGflops() on this thread before the run. */
  peakGflopsPerCore: number;
  /** gflopsPerSecond / (peakGflopsPerCore × threads). */
  fractionOfPeak: number;
}

export function throughput(flopsPerImage: number, imagesPerSecond: number, peakGflopsPerCore: number, threads: number): Throughput {
  const gflopsPerSecond = (flopsPerImage * imagesPerSecond) / 1e9;
  return { gflopPerImage: flopsPerImage / 1e9, gflopsPerSecond, peakGflopsPerCore, fractionOfPeak: gflopsPerSecond / (peakGflopsPerCore * threads) };
}
