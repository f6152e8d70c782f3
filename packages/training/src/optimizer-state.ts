import * as tf from '@tensorflow/tfjs-core';
import type { FlatAdamOptimizer } from './flat-adam';

export const OPTIMIZER_SPEC_FILE = 'optimizer/adam.json';
export const OPTIMIZER_DATA_FILE = 'optimizer/adam.bin';

interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

interface OptimizerSpec {
  kind: 'adam';
  /** getWeights() order: the iteration count, then first moments, then second moments. */
  tensors: TensorSpec[];
  /** Adam's running β₁ᵗ and β₂ᵗ, as float32 values (see restoreOptimizerState for why). */
  accBeta1: number;
  accBeta2: number;
}

/** Private fields of tfjs's AdamOptimizer that getWeights() leaves out. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** Adam's complete state as two checkpoint extra files: a JSON spec and the raw little-endian tensor bytes. */
export async function serializeOptimizerState(optimizer: FlatAdamOptimizer): Promise<Record<string, Uint8Array>> {
  const weights = await optimizer.getWeights();
  const internals = optimizer as unknown as AdamInternals;
  const spec: OptimizerSpec = {
    kind: 'adam',
    tensors: weights.map(({ name, tensor }) => ({ name, shape: [...tensor.shape], dtype: tensor.dtype === 'int32' ? 'int32' : 'float32' })),
    accBeta1: internals.accBeta1.dataSync()[0],
    accBeta2: internals.accBeta2.dataSync()[0],
  };
  const chunks = await Promise.all(weights.map(async ({ tensor }) => new Uint8Array((await tensor.data()).slice().buffer)));
  // FlatAdamOptimizer.getWeights() hands out fresh tensors (the moments live in flat arrays).
  tf.dispose(weights.map(({ tensor }) => tensor));
  return {
    [OPTIMIZER_SPEC_FILE]: new TextEncoder().encode(`${JSON.stringify(spec, null, 2)}\n`),
    [OPTIMIZER_DATA_FILE]: concatBytes(chunks),
  };
}

/**
 * Restores state saved by serializeOptimizerState into a fresh Adam optimizer.
 * tfjs's setWeights recomputes β₁ᵗ as pow(β₁, t+1), which differs in the last float32 bits from the
 * product an uninterrupted run accumulated step by step; we re-assign the saved values so a resumed
 * run is bit-identical to one that never stopped.
 */
export async function restoreOptimizerState(optimizer: FlatAdamOptimizer, specBytes: Uint8Array, dataBytes: Uint8Array): Promise<void> {
  const spec = JSON.parse(new TextDecoder().decode(specBytes)) as OptimizerSpec;
  if (spec.kind !== 'adam' || !Array.isArray(spec.tensors)) throw new Error(`${OPTIMIZER_SPEC_FILE}: not an Adam optimizer state`);
  const tensors = splitTensors(spec.tensors, dataBytes);
  try {
    await optimizer.setWeights(tensors);
  } finally {
    // setWeights copies the moments into the optimizer's flat arrays.
    tf.dispose(tensors.map((t) => t.tensor));
  }
  const internals = optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    internals.accBeta1.assign(tf.scalar(spec.accBeta1));
    internals.accBeta2.assign(tf.scalar(spec.accBeta2));
  });
}

function splitTensors(specs: TensorSpec[], bytes: Uint8Array): { name: string; tensor: tf.Tensor }[] {
  const expected = specs.reduce((total, s) => total + 4 * s.shape.reduce((n, d) => n * d, 1), 0);
  if (bytes.byteLength !== expected) throw new Error(`${OPTIMIZER_DATA_FILE}: is ${bytes.byteLength} bytes, expected ${expected}`);
  const buffer = bytes.slice().buffer; // aligned copy
  let offset = 0;
  return specs.map(({ name, shape, dtype }) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const values = dtype === 'int32' ? new Int32Array(buffer, offset, size) : new Float32Array(buffer, offset, size);
    offset += 4 * size;
    return { name, tensor: tf.tensor(values, shape, dtype) };
  });
}

function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
