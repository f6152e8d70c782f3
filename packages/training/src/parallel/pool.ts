/**
 * Gradient workers: the model package's generic ReplicaPool running `gradient-task`. Failure
 * handling (crash, exit, timeout → WorkerFailedError naming the worker; a broken pool rejects every
 * later request at once and never hangs) is the pool's; see @cvae/model src/parallel/pool.ts.
 */
import * as path from 'path';
import { KlEstimator, ReplicaPool, WorkerFault } from '@cvae/model';
import type { GradientRequest, GradientResponse } from './protocol';

export { WorkerFailedError, DEFAULT_START_TIMEOUT_MS } from '@cvae/model';
export const DEFAULT_STEP_TIMEOUT_MS = 120_000;

/** Without extension: resolves to gradient-task.js when built, gradient-task.ts under jest. */
const GRADIENT_TASK_MODULE = path.join(__dirname, 'gradient-task');

export interface GradientPoolOptions {
  /** Worker threads to start (the main thread computes shard 0 itself, so N-way parallel needs N−1). */
  workers: number;
  backend: string;
  latentDim: number;
  seed: number;
  /** Per step; generous because a slow or shared machine must not fail a healthy run. */
  stepTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Testing hook: worker index (1-based) → fault to inject. */
  faults?: Record<number, WorkerFault>;
}

export interface ShardJob {
  weights: Float32Array;
  images: Float32Array;
  eps: Float32Array;
  shardSize: number;
  batchSize: number;
  kl: KlEstimator;
}

export interface ShardResult {
  loss: number;
  grads: Float32Array;
  /** The worker's live tensors after the step (constant from step to step unless it leaks). */
  numTensors: number;
}

export class GradientWorkerPool {
  private constructor(private readonly pool: ReplicaPool) {}

  /** Starts the workers and waits until each has built its replica; `parameterCount` guards against a mismatched architecture. */
  static async start(options: GradientPoolOptions, parameterCount: number): Promise<GradientWorkerPool> {
    const { stepTimeoutMs = DEFAULT_STEP_TIMEOUT_MS, ...rest } = options;
    const pool = await ReplicaPool.start({ ...rest, requestTimeoutMs: stepTimeoutMs, taskModule: GRADIENT_TASK_MODULE, label: 'gradient worker pool' }, parameterCount);
    return new GradientWorkerPool(pool);
  }

  get size(): number {
    return this.pool.size;
  }

  /** Runs `job` on worker `index` (1-based). The job's arrays are transferred: do not use them afterwards. */
  async computeShard(index: number, job: ShardJob): Promise<ShardResult> {
    const { weights, ...payload } = job;
    const response = await this.pool.request<GradientRequest, GradientResponse>(index, {
      payload,
      weights,
      transfer: [weights.buffer, job.images.buffer, job.eps.buffer] as ArrayBuffer[],
    });
    return { ...response.result, numTensors: response.numTensors };
  }

  /** Terminates every worker. Safe to call more than once and after a failure. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
