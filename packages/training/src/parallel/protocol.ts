/**
 * Messages between the main thread and gradient workers, and the flat-array layout of weights and
 * gradients. Variables are identified by position in `CVAE.trainableVariables()`, never by name
 * (names get `_1` suffixes when several models share a thread).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CVAE, KlEstimator, WeightSnapshot } from '@cvae/model';

export const WORKER_KIND = 'cvae-gradient-worker';

/** Fixed for the worker's lifetime (Worker `workerData`). */
export interface WorkerInit {
  kind: typeof WORKER_KIND;
  /** 1-based; shard 0 is the main thread's. Used in every error message. */
  workerIndex: number;
  backend: string;
  latentDim: number;
  /** Only the architecture matters (weights arrive with each step), but the same seed keeps a replica a faithful copy. */
  seed: number;
  /** Testing hook: fail at this (1-based) step of this worker. */
  fault?: WorkerFault;
}

export interface WorkerFault {
  atStep: number;
  /** 'throw': uncaught exception; 'exit': process.exit(3) in the thread; 'hang': never answer. */
  kind: 'throw' | 'exit' | 'hang';
}

/** The only request: compute one shard's gradients at the given weights. Every array is transferred. */
export interface MainToWorker {
  type: 'step';
  id: number;
  /** All trainable weights, flat, in trainableVariables() order. */
  weights: Float32Array;
  /** The shard's images, NHWC flat. */
  images: Float32Array;
  /** The shard's rows of the whole batch's eps. */
  eps: Float32Array;
  shardSize: number;
  /** Full batch size: the shard's loss is scaled by shardSize / batchSize. */
  batchSize: number;
  kl: KlEstimator;
}

export type WorkerToMain =
  | { type: 'ready'; parameterCount: number; backend: string }
  | { type: 'init-error'; message: string }
  | {
      type: 'result';
      id: number;
      /** This shard's contribution to the full-batch mean loss (already scaled). */
      loss: number;
      /** Gradient of the scaled shard loss, flat (transferred). */
      grads: Float32Array;
      /** The worker's live tensor count after the step, for leak checks. */
      numTensors: number;
    }
  | { type: 'step-error'; id: number; message: string };

/** Env var alternative to WorkerInit.fault, so a CLI-level test can crash a worker: "<step>" or "<step>:<throw|exit|hang>". */
export const CRASH_ENV = 'CVAE_TEST_CRASH_WORKER_AT_STEP';

export function faultFromEnv(value: string | undefined): WorkerFault | undefined {
  if (value == null || value === '') return undefined;
  const [step, kind = 'throw'] = value.split(':');
  const atStep = Number(step);
  if (!Number.isInteger(atStep) || atStep < 1 || !['throw', 'exit', 'hang'].includes(kind)) {
    throw new Error(`${CRASH_ENV} must be "<step>" or "<step>:throw|exit|hang", got "${value}"`);
  }
  return { atStep, kind: kind as WorkerFault['kind'] };
}

export function isWorkerInit(data: unknown): data is WorkerInit {
  return typeof data === 'object' && data != null && (data as { kind?: unknown }).kind === WORKER_KIND;
}

/** Total number of trainable parameters. */
export function flatSize(variables: readonly tf.Tensor[]): number {
  return variables.reduce((total, v) => total + v.size, 0);
}

/** Copies tensors (weights or gradients) into one new Float32Array, in the given order. */
export function flattenTensors(tensors: readonly tf.Tensor[]): Float32Array {
  const flat = new Float32Array(flatSize(tensors));
  let offset = 0;
  for (const tensor of tensors) {
    flat.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  return flat;
}

/** Views a flat weight array as a snapshot `CVAE.setWeights` accepts (no copy; setWeights copies). */
export function flatToSnapshot(model: CVAE, flat: Float32Array): WeightSnapshot {
  const variables = model.trainableVariables();
  if (flat.length !== flatSize(variables)) {
    throw new Error(`flat weights have ${flat.length} values, the model has ${flatSize(variables)} parameters`);
  }
  let offset = 0;
  return variables.map((variable) => {
    const values = flat.subarray(offset, offset + variable.size);
    offset += variable.size;
    return { name: variable.name, shape: [...variable.shape], values };
  });
}

/** Splits a flat array into tensors shaped like `variables`. The caller owns them. */
export function unflattenToTensors(flat: Float32Array, variables: readonly tf.Tensor[]): tf.Tensor[] {
  let offset = 0;
  return variables.map((variable) => {
    const tensor = tf.tensor(flat.subarray(offset, offset + variable.size), variable.shape, 'float32');
    offset += variable.size;
    return tensor;
  });
}
