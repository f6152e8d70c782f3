/**
 * The layer ops on wasm (this package's kernels and gradients) against the same ops on cpu, where
 * they are tfjs's own fused ops with tfjs's own gradients: values and the gradients of every input.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers tfjs's gradient functions, as it does for a user's model.
import '@tensorflow/tfjs-layers';
import { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from '../register';
import { hostTensor, HostTensor, relativeMaxError } from '../test-utils/kernel-harness';
import { FusedActivation, FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, Padding } from './names';
import { conv2dBiasActivation, conv2dTransposeBiasActivation, denseBiasActivation } from './ops';

const TOLERANCE = 1e-4;

interface LayerCase {
  label: string;
  kind: 'conv' | 'transpose' | 'dense';
  x: number[];
  w: number[];
  out?: [number, number, number, number];
  strides?: number;
  pad?: Padding;
  activation: FusedActivation;
}

const CASES: LayerCase[] = [
  { label: 'CVAE encoder conv1 (b3)', kind: 'conv', x: [3, 28, 28, 1], w: [3, 3, 1, 32], strides: 2, pad: 'valid', activation: 'relu' },
  { label: 'CVAE encoder conv2 (b3)', kind: 'conv', x: [3, 13, 13, 32], w: [3, 3, 32, 64], strides: 2, pad: 'valid', activation: 'relu' },
  { label: 'conv 8->8 s1 same, linear', kind: 'conv', x: [2, 5, 6, 8], w: [3, 3, 8, 8], strides: 1, pad: 'same', activation: 'linear' },
  { label: 'conv 3->5 (no conv.wasm tile), relu', kind: 'conv', x: [2, 6, 6, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same', activation: 'relu' },
  { label: 'CVAE decoder deconv1 (b3)', kind: 'transpose', x: [3, 7, 7, 32], w: [3, 3, 64, 32], out: [3, 14, 14, 64], strides: 2, pad: 'same', activation: 'relu' },
  { label: 'CVAE decoder deconv2 (b2)', kind: 'transpose', x: [2, 14, 14, 64], w: [3, 3, 32, 64], out: [2, 28, 28, 32], strides: 2, pad: 'same', activation: 'relu' },
  { label: 'CVAE decoder logits (b3)', kind: 'transpose', x: [3, 28, 28, 32], w: [3, 3, 1, 32], out: [3, 28, 28, 1], strides: 1, pad: 'same', activation: 'linear' },
  { label: 'deconv 5->3 s2 valid (fallback path), relu', kind: 'transpose', x: [2, 4, 4, 5], w: [3, 3, 3, 5], out: [2, 9, 9, 3], strides: 2, pad: 'valid', activation: 'relu' },
  { label: 'CVAE encoder dense (b5)', kind: 'dense', x: [5, 2304], w: [2304, 4], activation: 'linear' },
  { label: 'CVAE decoder dense (b5)', kind: 'dense', x: [5, 2], w: [2, 1568], activation: 'relu' },
];

function layer(c: LayerCase, x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [strides = 1, pad = 'valid' as Padding] = [c.strides, c.pad];
  if (c.kind === 'conv') return conv2dBiasActivation(x as Tensor4D, w as Tensor4D, b as Tensor1D, { strides, pad, activation: c.activation });
  if (c.kind === 'transpose') {
    if (c.out === undefined) throw new Error(`${c.label}: a transposed case needs its output shape (out)`);
    return conv2dTransposeBiasActivation(x as Tensor4D, w as Tensor4D, b as Tensor1D, { outputShape: c.out, strides, pad, activation: c.activation });
  }
  return denseBiasActivation(x as Tensor2D, w as Tensor2D, b as Tensor1D, c.activation);
}

function biasSize(c: LayerCase): number {
  return c.kind === 'transpose' ? c.w[2] : c.w[3] ?? c.w[1];
}

/** y and the gradients of Σ y·r (r fixed and seeded) w.r.t. x, the weights and the bias, on `backendName`. */
async function run(backendName: string, c: LayerCase, seed: number): Promise<HostTensor[]> {
  await tf.setBackend(backendName);
  const host = (t: Tensor): HostTensor => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) });
  const outputs = tf.tidy(() => {
    const [x, w, b] = [hostTensor(c.x, seed), hostTensor(c.w, seed + 1), hostTensor([biasSize(c)], seed + 2)].map((t) => tf.tensor(t.values, t.shape));
    const y = layer(c, x, w, b);
    const r = tf.tensor(hostTensor(y.shape, seed + 3).values, y.shape);
    return [y, ...tf.grads((xs: Tensor, ws: Tensor, bs: Tensor) => tf.sum(tf.mul(layer(c, xs, ws, bs), r)))([x, w, b])];
  });
  const values = outputs.map(host);
  tf.dispose(outputs);
  return values;
}

describe('layer ops on wasm (fused kernels, our gradients) vs on cpu (tfjs fused ops, tfjs gradients)', () => {
  beforeAll(async () => {
    registerTrainingKernels('wasm');
    // cpu's conv kernels are our im2col ones (each tested against tfjs's stock cpu kernel): tfjs's own take minutes here.
    registerTrainingKernels('cpu');
    await tf.setBackend('wasm');
    await tf.ready();
    await tf.setBackend('cpu');
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  });

  it.each(CASES.map((c, i) => [c.label, c, 600 + 10 * i] as const))('%s: y, dx, dW, dbias', async (_label, c, seed) => {
    const expected = await run('cpu', c, seed);
    const actual = await run('wasm', c, seed);
    expected.forEach((e, i) => {
      expect(actual[i].shape).toEqual(e.shape);
      expect(relativeMaxError(actual[i], e)).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('on wasm, runs one kernel per layer forward and computes no gradient the tape does not need', async () => {
    await tf.setBackend('wasm');
    const image = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as Tensor4D;
    const filter = tf.variable(tf.randomNormal([3, 3, 1, 32], 0, 0.1, 'float32', 2));
    const bias = tf.variable(tf.zeros([32]));
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(conv2dBiasActivation(image, filter as Tensor4D, bias as Tensor1D, { strides: 2, pad: 'valid', activation: 'relu' })), [filter, bias]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain(FUSED_CONV2D);
    expect(kernels).toContain('Conv2DBackpropFilter');
    // Not the image's gradient, and no separate bias or activation kernels.
    expect(kernels.filter((k) => ['Conv2DBackpropInput', 'Add', 'Relu', 'Step', 'Cast'].includes(k))).toEqual([]);
    tf.dispose([image, filter, bias]);
    expect([FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL].every((k) => tf.getKernel(k, 'wasm') != null)).toBe(true);
  });
});
