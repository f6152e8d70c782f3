/**
 * wasm CvaeSigmoidCrossEntropy (+ gradient) vs tfjs's stock cpu kernels composing the same formula
 * (Relu, Multiply, Sub, Abs, Neg, Exp, Log1p, Add, Sum; the gradient by tf.grad of that), and each
 * element against float64 math: the vectorised exp and log1p stay within a few float32 ulps.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers tfjs's gradient functions, as it does for a user's model.
import '@tensorflow/tfjs-layers';
import { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD } from '../fused/names';
import { HostTensor, randomValues, registeredKernel, relativeMaxError, wasmReadyCpuActive } from '../test-utils/kernel-harness';

const TOLERANCE = 1e-5;

interface Case {
  label: string;
  logitShape: number[];
  repeat: number;
  scale: number;
  binary: boolean;
}

const CASES: Case[] = [
  { label: 'CVAE batch 5 of 28x28x1, binary pixels', logitShape: [5, 28, 28, 1], repeat: 1, scale: 12, binary: true },
  { label: 'IWAE: 3 images x 4 samples', logitShape: [12, 28, 28, 1], repeat: 4, scale: 12, binary: true },
  { label: 'large logits (|l| up to 120), labels in [0, 1]', logitShape: [4, 37], repeat: 2, scale: 120, binary: false },
  { label: 'small logits, 3 columns (no full vector)', logitShape: [6, 3], repeat: 1, scale: 1e-3, binary: false },
];

function data(c: Case, seed: number): { logits: HostTensor; labels: HostTensor } {
  const labelShape = [c.logitShape[0] / c.repeat, ...c.logitShape.slice(1)];
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const logits = randomValues(size(c.logitShape), seed).map((v) => v * c.scale);
  const labels = randomValues(size(labelShape), seed + 1).map((v) => (c.binary ? (v > 0 ? 1 : 0) : (v + 1) / 2));
  return { logits: { shape: c.logitShape, values: logits }, labels: { shape: labelShape, values: labels } };
}

/** Runs a registered wasm kernel on host tensors. */
function wasmKernel(name: string, inputs: Record<string, HostTensor>, repeat: number): HostTensor {
  const backend = tf.findBackend('wasm') as KernelBackend;
  const infos: Record<string, TensorInfo> = {};
  for (const [key, t] of Object.entries(inputs)) infos[key] = { dataId: backend.write(t.values.slice(), t.shape, 'float32'), shape: t.shape, dtype: 'float32' };
  const out = registeredKernel(name, 'wasm')({ inputs: infos, backend, attrs: { repeat } }) as TensorInfo;
  const result = { shape: out.shape, values: Float32Array.from(backend.readSync(out.dataId) as Float32Array) };
  for (const t of [out, ...Object.values(infos)]) backend.disposeData(t.dataId);
  return result;
}

/** tfjs's composite on cpu: row sums, and the gradient of Σ dy·rowSums w.r.t. the logits. */
function stock(c: Case, logits: HostTensor, labels: HostTensor, dy: HostTensor): HostTensor[] {
  return tf.tidy(() => {
    const l = tf.tensor(logits.values, logits.shape);
    const x = tf.reshape(tf.tile(tf.expandDims(tf.tensor(labels.values, labels.shape), 1), [1, c.repeat, ...labels.shape.slice(1).map(() => 1)]), logits.shape);
    const axes = logits.shape.slice(1).map((_, i) => i + 1);
    const rowSums = (t: tf.Tensor) => tf.sum(tf.add(tf.sub(tf.relu(t), tf.mul(t, x)), tf.log1p(tf.exp(tf.neg(tf.abs(t))))), axes);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(rowSums(t), tf.tensor(dy.values, dy.shape))))(l);
    return [rowSums(l), grad].map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  });
}

describe('wasm CvaeSigmoidCrossEntropy vs tfjs stock cpu', () => {
  beforeAll(async () => {
    await wasmReadyCpuActive();
  });

  it.each(CASES.map((c, i) => [c.label, c, 40 + 5 * i] as const))('%s: row sums and logits gradient', (_label, c, seed) => {
    const { logits, labels } = data(c, seed);
    const dy = { shape: [c.logitShape[0]], values: randomValues(c.logitShape[0], seed + 2) };
    const [sums, grad] = stock(c, logits, labels, dy);
    const actualSums = wasmKernel(SIGMOID_CROSS_ENTROPY, { logits, labels }, c.repeat);
    const actualGrad = wasmKernel(SIGMOID_CROSS_ENTROPY_GRAD, { dy, logits, labels }, c.repeat);
    expect([actualSums.shape, actualGrad.shape]).toEqual([sums.shape, grad.shape]);
    expect(relativeMaxError(actualSums, sums)).toBeLessThanOrEqual(TOLERANCE);
    expect(relativeMaxError(actualGrad, grad)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('each element within 4 float32 ulps of float64 math, logits from -100 to 100', () => {
    const n = 20001;
    const logits = Float32Array.from({ length: n }, (_, i) => Math.fround(-100 + (200 * i) / (n - 1) + (i % 7) * 1e-4));
    const labels = Float32Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 0.25);
    const actual = wasmKernel(SIGMOID_CROSS_ENTROPY, { logits: { shape: [n, 1], values: logits }, labels: { shape: [n, 1], values: labels } }, 1);
    let worst = 0;
    logits.forEach((l, i) => {
      const exact = Math.max(l, 0) - l * labels[i] + Math.log1p(Math.exp(-Math.abs(l)));
      // e^-|l| is flushed below e^-87 (~1e-38): a difference no float32 sum can see.
      worst = Math.max(worst, Math.abs(actual.values[i] - exact) / (Math.abs(exact) + 1e-30));
    });
    expect(worst).toBeLessThan(4 * 2 ** -24);
  });
});
