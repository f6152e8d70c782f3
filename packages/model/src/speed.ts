/**
 * The CVAE's arithmetic (floating-point operations, from the architecture) and the convolution
 * kernels' speed on this thread, so benchmarks can report GFLOP/s against what the kernels reach.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dTransposeBiasActivation } from '@cvae/tfjs-kernels';
import { IMAGE_SHAPE, LayerSpec, architectureSummary } from './cvae';

/** Forward FLOPs of one layer for one image (2 per multiply-add; convolutions and dense layers only). */
export interface LayerFlops {
  name: string;
  forward: number;
}

/** Every layer's forward FLOPs per image: the encoder's, then the decoder's. */
export function layerFlops(latentDim: number): { encoder: LayerFlops[]; decoder: LayerFlops[] } {
  const arch = architectureSummary(latentDim);
  return { encoder: walk(arch.encoder, [...IMAGE_SHAPE]), decoder: walk(arch.decoder, [latentDim]) };
}

function walk(specs: LayerSpec[], inputShape: number[]): LayerFlops[] {
  let shape = inputShape;
  const out: LayerFlops[] = [];
  for (const spec of specs) {
    const [next, macs] = step(spec, shape);
    if (macs > 0) out.push({ name: spec.name, forward: 2 * macs });
    shape = next;
  }
  return out;
}

/** Output shape and multiply-adds of a layer on one image of `shape` (HWC, or [features]). */
function step(spec: LayerSpec, shape: number[]): [number[], number] {
  switch (spec.kind) {
    case 'conv2d': {
      const [h, w, c] = shape;
      const size = (n: number) => (spec.padding === 'same' ? Math.ceil(n / spec.strides) : Math.floor((n - spec.kernelSize) / spec.strides) + 1);
      const out = [size(h), size(w), spec.filters];
      return [out, out[0] * out[1] * spec.filters * spec.kernelSize ** 2 * c];
    }
    case 'conv2dTranspose': {
      const [h, w, c] = shape;
      const size = (n: number) => (spec.padding === 'same' ? n * spec.strides : n * spec.strides + Math.max(spec.kernelSize - spec.strides, 0));
      // Every input pixel meets every tap once: the same multiply-adds as the conv it is the gradient of.
      return [[size(h), size(w), spec.filters], h * w * c * spec.kernelSize ** 2 * spec.filters];
    }
    case 'dense':
      return [[spec.units], shape.reduce((a, b) => a * b, 1) * spec.units];
    case 'flatten':
      return [[shape.reduce((a, b) => a * b, 1)], 0];
    case 'reshape':
      return [spec.targetShape, 0];
  }
}

const sum = (layers: LayerFlops[]) => layers.reduce((total, l) => total + l.forward, 0);

/** FLOPs per image of: a training step (forward, weight gradients, input gradients but the image's), the encoder, one decode. */
export function cvaeFlops(latentDim: number): { trainingStep: number; encode: number; decode: number } {
  const { encoder, decoder } = layerFlops(latentDim);
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
