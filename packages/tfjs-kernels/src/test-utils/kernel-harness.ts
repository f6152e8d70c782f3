/**
 * Runs single kernels directly against a backend (no engine, no tape) so tests can
 * compare our kernels with tfjs's stock cpu kernels on identical inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, getKernel, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { Conv4D } from '../conv-geometry';
import { originalKernel, registerTrainingKernels } from '../register';

// Per-element loops call these through local names: a lookup of the global Math inside jest's vm
// context costs ~0.15–0.5 µs, which made input generation and comparison seconds of a spec file.
const { abs, imul, max } = Math;

export interface HostTensor {
  shape: number[];
  values: Float32Array;
}

export interface ConvCase {
  label: string;
  xShape: Conv4D;
  filterShape: Conv4D;
  strides: number | [number, number];
  pad: 'same' | 'valid';
}

/** Strides 1 and 2, both paddings, odd sizes, batch 1 and more, 1/3/32/64 channels, and the CVAE's own layers. */
export const CONV_CASES: ConvCase[] = [
  { label: 'b1 5x7 1->3 s1 same', xShape: [1, 5, 7, 1], filterShape: [3, 3, 1, 3], strides: 1, pad: 'same' },
  { label: 'b2 9x9 3->32 s2 valid', xShape: [2, 9, 9, 3], filterShape: [3, 3, 3, 32], strides: 2, pad: 'valid' },
  { label: 'b3 11x9 3->1 s2 same', xShape: [3, 11, 9, 3], filterShape: [3, 3, 3, 1], strides: 2, pad: 'same' },
  { label: 'b2 6x5 32->3 s1 valid, 2x3 filter', xShape: [2, 6, 5, 32], filterShape: [2, 3, 32, 3], strides: 1, pad: 'valid' },
  { label: 'b1 7x7 64->32 s[1,2] same', xShape: [1, 7, 7, 64], filterShape: [3, 3, 64, 32], strides: [1, 2], pad: 'same' },
  { label: 'encoder conv1 b2 28x28 1->32 s2 valid', xShape: [2, 28, 28, 1], filterShape: [3, 3, 1, 32], strides: 2, pad: 'valid' },
  { label: 'encoder conv2 b2 13x13 32->64 s2 valid', xShape: [2, 13, 13, 32], filterShape: [3, 3, 32, 64], strides: 2, pad: 'valid' },
  { label: 'decoder deconv b1 14x14 64->32 s2 same', xShape: [1, 14, 14, 64], filterShape: [3, 3, 64, 32], strides: 2, pad: 'same' },
  { label: 'decoder out b3 28x28 1->32 s1 same', xShape: [3, 28, 28, 1], filterShape: [3, 3, 1, 32], strides: 1, pad: 'same' },
];

/** Deterministic uniform values in [-1, 1) (mulberry32), so failures reproduce. */
export function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * A case's seed from its label (FNV-1a), not its position in a list: the same case gets the same
 * inputs in every list that holds it, so a spec file can reuse its stock cpu reference (stockReference).
 */
export function caseSeed(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h % 1_000_000;
}

export function hostTensor(shape: number[], seed: number): HostTensor {
  return { shape, values: randomValues(shape.reduce((a, b) => a * b, 1), seed) };
}

export function convOutShape(c: ConvCase): Conv4D {
  const info = backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad);
  return info.outShape as Conv4D;
}

function backendNamed(name: string): KernelBackend {
  const backend = tf.findBackend(name);
  if (backend == null) throw new Error(`backend ${name} is not initialised`);
  // tfjs's cpu backend prints an "install tfjs-node" banner on its first write: noise in every test log.
  if ('firstUse' in backend) (backend as { firstUse: boolean }).firstUse = false;
  return backend;
}

/** Runs `kernelFunc` on `backendName` with fresh copies of the host inputs and returns the output values. */
export function runKernel(backendName: string, kernelFunc: KernelFunc, inputs: Record<string, HostTensor>, attrs: NamedAttrMap): HostTensor {
  const backend = backendNamed(backendName);
  const infos: Record<string, TensorInfo> = {};
  for (const [name, t] of Object.entries(inputs)) {
    infos[name] = { dataId: backend.write(t.values.slice(), t.shape, 'float32'), shape: t.shape, dtype: 'float32' };
  }
  const out = kernelFunc({ inputs: infos, backend, attrs }) as TensorInfo;
  const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
  backend.disposeData(out.dataId);
  for (const info of Object.values(infos)) backend.disposeData(info.dataId);
  return { shape: out.shape, values };
}

/** The kernel currently registered for (name, backend). */
export function registeredKernel(kernelName: string, backendName: string): KernelFunc {
  const config = getKernel(kernelName, backendName);
  if (config == null) throw new Error(`no ${kernelName} kernel registered for ${backendName}`);
  return config.kernelFunc;
}

/** tfjs's own cpu kernel, even after registerTrainingKernels('cpu') replaced it. */
export function stockCpuKernel(kernelName: string): KernelFunc {
  return originalKernel(kernelName, 'cpu') ?? registeredKernel(kernelName, 'cpu');
}

const stockReferences = new Map<string, HostTensor>();

/**
 * tfjs's stock cpu kernel on these inputs, computed once per spec file (jest gives each file its own
 * module registry) and reused by every describe block that runs the same call under other switches:
 * the stock filter gradient takes seconds at the model presets' sizes. The stock kernel reads none
 * of this package's switches, so its result depends on the inputs and attrs alone, which `key` names.
 */
export function stockReference(kernelName: string, key: string, inputs: Record<string, HostTensor>, attrs: NamedAttrMap): HostTensor {
  const id = `${kernelName} ${key}`;
  let reference = stockReferences.get(id);
  if (reference == null) {
    reference = runKernel('cpu', stockCpuKernel(kernelName), inputs, attrs);
    stockReferences.set(id, reference);
  }
  return reference;
}

export function maxAbs(values: Float32Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = max(m, abs(values[i]));
  return m;
}

/** max |actual - expected| / max |expected| (NaN-safe: NaN anywhere gives Infinity). */
export function relativeMaxError(actual: HostTensor, expected: HostTensor): number {
  if (actual.values.length !== expected.values.length) return Infinity;
  let err = 0;
  for (let i = 0; i < actual.values.length; i++) {
    const d = abs(actual.values[i] - expected.values[i]);
    if (!(d <= err)) err = Number.isNaN(d) ? Infinity : d;
  }
  const scale = maxAbs(expected.values);
  return scale === 0 ? err : err / scale;
}

export function convAttrs(c: ConvCase): { strides: number | [number, number]; pad: 'same' | 'valid'; dataFormat: 'NHWC'; dimRoundingMode?: undefined } {
  return { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
}

/** Inputs and attrs of the three conv kernels for one case (seeded). */
export function convKernelCall(kernelName: 'Conv2D' | 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', c: ConvCase, seed: number): { inputs: Record<string, HostTensor>; attrs: NamedAttrMap } {
  const x = hostTensor(c.xShape, seed);
  const filter = hostTensor(c.filterShape, seed + 1);
  const dy = hostTensor(convOutShape(c), seed + 2);
  const base = convAttrs(c) as unknown as NamedAttrMap;
  switch (kernelName) {
    case 'Conv2D':
      return { inputs: { x, filter }, attrs: { ...base, dilations: 1 } };
    case 'Conv2DBackpropFilter':
      return { inputs: { x, dy }, attrs: { ...base, filterShape: c.filterShape } };
    case 'Conv2DBackpropInput':
      return { inputs: { dy, filter }, attrs: { ...base, inputShape: c.xShape } };
  }
}

/**
 * The setup of every wasm-vs-cpu kernel spec: the wasm backend initialised (its module loaded), the
 * stock cpu backend active for the reference side, and our kernels registered on wasm.
 */
export async function wasmReadyCpuActive(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  registerTrainingKernels('wasm');
}

/** Sets environment variable `name` to `value` for the enclosing describe block, restoring what it was afterwards. */
export function envDuringBlock(name: string, value: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env[name];
    process.env[name] = value;
  });
  afterAll(() => {
    if (saved == null) delete process.env[name];
    else process.env[name] = saved;
  });
}
