/**
 * Data-parallel training step on @cvae/replicas. The batch (and its eps, drawn for the whole batch
 * exactly as in the single-thread loop) is cut into contiguous shards; this thread computes shard 0
 * on the real model while workers compute the others on replicas; the scaled shard gradients are
 * summed in shard order and ONE Adam update is applied here.
 *
 * The updated weights reach the replicas with their next request (Replicas.weightsChanged), rather
 * than every replica applying the same update: the optimizer and its state then exist once, so
 * checkpoints, resume and NaN handling work unchanged; replicas can never drift apart; and a worker
 * needs no optimizer state to join. The same replicas evaluate the test set after every epoch.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, ElboOptions } from '@cvae/model';
import { Replicas, ReplicasOptions, ShardRange, flattenTensors, shardRanges, unflattenToTensors } from '@cvae/replicas';
import type { GradientRequest, GradientResponse } from './gradient-task';
import { applyGradients, computeShardGradients, NonFiniteLossError } from './step';
import { FlatAdamOptimizer } from './flat-adam';

const GRADIENT_TASK = 'gradient';
/** Without extension: gradient-task.js when built, gradient-task.ts from sources (see @cvae/replicas). */
const GRADIENT_TASK_MODULE = path.join(__dirname, 'gradient-task');

export interface ParallelTrainerOptions extends Omit<ReplicasOptions, 'threads' | 'tasks' | 'requestTimeoutMs'> {
  /** Threads computing gradients, this one included (1 = no workers, same as trainStep). */
  workers: number;
  /** Per step; generous because a slow or shared machine must not fail a healthy run. */
  stepTimeoutMs?: number;
}

/** A batch as typed arrays: `images` NHWC flat, `eps` [n, latentDim] flat, from the run's seeded stream. */
export interface StepBatch {
  images: Float32Array;
  eps: Float32Array;
}

export class ParallelTrainer {
  /** Live tensor counts the workers reported after the last step (index 0 = worker 1). */
  lastWorkerTensorCounts: number[] = [];

  private constructor(
    private readonly model: CVAE,
    /** The threads (and replicas) this trainer steps with; the training loop evaluates on them too. */
    readonly replicas: Replicas,
  ) {}

  /** Starts `workers − 1` worker threads holding replicas of `model`. */
  static async start(model: CVAE, options: ParallelTrainerOptions): Promise<ParallelTrainer> {
    const { workers, stepTimeoutMs, ...rest } = options;
    const replicas = await Replicas.start(model, { ...rest, threads: workers, requestTimeoutMs: stepTimeoutMs, tasks: { [GRADIENT_TASK]: GRADIENT_TASK_MODULE } });
    return new ParallelTrainer(model, replicas);
  }

  get threads(): number {
    return this.replicas.threads;
  }

  /**
   * One step: shard gradients in parallel, sum, one update. Returns the full batch's mean −ELBO.
   * A non-finite loss throws NonFiniteLossError before the update (weights and Adam state untouched);
   * a failed worker rejects with WorkerFailedError, also before any update.
   */
  async step(optimizer: tf.Optimizer, batch: StepBatch, loss: ElboOptions): Promise<number> {
    const batchSize = batch.images.length / this.model.pixelsPerImage;
    const shards = shardRanges(batchSize, this.threads);
    const { local, remote } = await this.replicas.sharded<{ loss: number; grads: tf.Tensor[] }, GradientResponse>({
      task: GRADIENT_TASK,
      shards: shards.length,
      local: () => this.computeOwnShard(batch, shards[0], batchSize, loss),
      remote: (worker) => this.shardWork(batch, shards[worker], batchSize, loss),
      discard: (own) => tf.dispose(own.grads),
    });
    try {
      this.lastWorkerTensorCounts = remote.map((response) => response.numTensors);
      return this.applySummed(optimizer, local, remote.map((response) => response.result));
    } finally {
      tf.dispose(local.grads);
    }
  }

  /** Terminates the worker threads. */
  async close(): Promise<void> {
    await this.replicas.close();
  }

  private shardWork(batch: StepBatch, range: ShardRange, batchSize: number, loss: ElboOptions) {
    const latentDim = this.model.latentDim;
    const pixels = this.model.pixelsPerImage;
    // slice(), not subarray(): transferring a view would detach the whole batch's buffer.
    const payload: GradientRequest = {
      images: batch.images.slice(range.start * pixels, (range.start + range.size) * pixels),
      eps: batch.eps.slice(range.start * latentDim, (range.start + range.size) * latentDim),
      shardSize: range.size,
      batchSize,
      loss,
    };
    return { payload, transfer: [payload.images.buffer, payload.eps.buffer] as ArrayBuffer[] };
  }

  private computeOwnShard(batch: StepBatch, range: ShardRange, batchSize: number, loss: ElboOptions) {
    const latentDim = this.model.latentDim;
    const x = this.model.imageTensor(batch.images, range.size);
    const eps = tf.tensor2d(batch.eps.subarray(0, range.size * latentDim), [range.size, latentDim]);
    try {
      return computeShardGradients(this.model, x, eps, batchSize, loss);
    } finally {
      tf.dispose([x, eps]);
    }
  }

  private applySummed(optimizer: tf.Optimizer, local: { loss: number; grads: tf.Tensor[] }, remote: GradientResponse[]): number {
    const loss = remote.reduce((total, result) => total + result.loss, local.loss);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    if (remote.length === 0) {
      applyGradients(optimizer, this.model, local.grads);
    } else {
      const summed = flattenTensors(local.grads);
      for (const result of remote) addInto(summed, result.grads);
      this.applyFlat(optimizer, summed);
    }
    this.replicas.weightsChanged();
    return loss;
  }

  /** The summed gradients straight from their flat array (FlatAdamOptimizer), else as tensors. */
  private applyFlat(optimizer: tf.Optimizer, summed: Float32Array): void {
    if (optimizer instanceof FlatAdamOptimizer) return optimizer.applyFlatGradients(this.model.trainableVariables(), summed);
    const grads = unflattenToTensors(summed, this.model.trainableVariables());
    try {
      applyGradients(optimizer, this.model, grads);
    } finally {
      tf.dispose(grads);
    }
  }
}

/** target += source, element-wise (float32 rounding, in a fixed order so runs are reproducible). */
function addInto(target: Float32Array, source: Float32Array): void {
  if (source.length !== target.length) throw new Error(`gradient sizes differ: ${source.length} vs ${target.length}`);
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}
