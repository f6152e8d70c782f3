/**
 * Messages between the main thread and replica workers, and the flat-array layout of weights.
 * Variables are identified by position in `CVAE.trainableVariables()`, never by name (names get
 * `_1` suffixes when several models share a thread).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Architecture, CVAE, WeightSnapshot } from '@cvae/model';
import { readFloat32Into } from '@cvae/tfjs-kernels';

export const REPLICA_WORKER_KIND = 'cvae-replica-worker';

/** Fixed for the worker's lifetime (Worker `workerData`). */
export interface WorkerInit {
  kind: typeof REPLICA_WORKER_KIND;
  /** 1-based; index 0 is the main thread's share. Used in every error message. */
  workerIndex: number;
  backend: string;
  /** What each replica builds (the main thread's model's architecture). */
  architecture: Architecture;
  /** Only the architecture matters (weights arrive with requests), but the same seed keeps a replica a faithful copy. */
  seed: number;
  /** Task name → absolute path (extension optional) of a module exporting `runTask: ReplicaTask`. */
  tasks: Record<string, string>;
  /** Testing hook: fail at this (1-based) request of this worker. */
  fault?: WorkerFault;
}

export interface WorkerFault {
  atStep: number;
  /** 'throw': uncaught exception; 'exit': process.exit(3) in the thread; 'hang': never answer. */
  kind: 'throw' | 'exit' | 'hang';
}

/** What a task module's `runTask` returns: its answer, and the buffers to transfer rather than copy. */
export interface TaskResult<Response> {
  result: Response;
  transfer?: ArrayBuffer[];
}

/** A task module's export `runTask`: runs one request on the worker's replica (weights already loaded). */
export type ReplicaTask<Request, Response> = (model: CVAE, request: Request) => TaskResult<Response>;

/** The only request: optionally load new weights, then run task `task` on `payload`. */
export interface MainToWorker {
  type: 'task';
  id: number;
  task: string;
  /** All trainable weights, flat, in trainableVariables() order; absent = keep the replica's current weights. */
  weights?: Float32Array;
  payload: unknown;
}

export type WorkerToMain =
  | { type: 'ready'; parameterCount: number; backend: string }
  | { type: 'init-error'; message: string }
  | {
      type: 'result';
      id: number;
      payload: unknown;
      /** The worker's live tensor count after the request, for leak checks. */
      numTensors: number;
    }
  | { type: 'task-error'; id: number; message: string };

/** Env var alternative to WorkerInit.fault, so a CLI-level test can crash a worker: "<request>" or "<request>:<throw|exit|hang>". */
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
  return typeof data === 'object' && data != null && (data as { kind?: unknown }).kind === REPLICA_WORKER_KIND;
}

/** Total number of trainable parameters. */
export function flatSize(variables: readonly tf.Tensor[]): number {
  return variables.reduce((total, v) => total + v.size, 0);
}

/** Copies tensors (weights or gradients) into one new Float32Array, in the given order (straight from the wasm heap). */
export function flattenTensors(tensors: readonly tf.Tensor[]): Float32Array {
  const flat = new Float32Array(flatSize(tensors));
  let offset = 0;
  for (const tensor of tensors) {
    readFloat32Into(tensor, flat, offset);
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
