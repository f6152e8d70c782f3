/**
 * Data-parallel training step. The batch (and its eps, drawn for the whole batch exactly as in the
 * single-thread loop) is cut into contiguous shards; the main thread computes shard 0 on the real
 * model while workers compute the others on replicas; the scaled shard gradients are summed in
 * shard order and ONE Adam update is applied on the main thread.
 *
 * Weights reach the replicas by broadcast with the next step's request (one ~280 KB flat copy per
 * worker, transferred), rather than by every replica applying the same update: the optimizer and
 * its state then exist once, so checkpoints, resume and NaN handling work unchanged; replicas can
 * never drift apart; and a respawned or new worker needs no optimizer state to join.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, IMAGE_SHAPE, KlEstimator } from '@cvae/model';
import { applyGradients, NonFiniteLossError } from '../step';
import { GradientPoolOptions, GradientWorkerPool, ShardResult } from './pool';
import { flatSize, flattenTensors, unflattenToTensors } from './protocol';
import { computeShardGradients, ShardRange, shardRanges } from './shard';

const PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2];

export interface ParallelTrainerOptions extends Omit<GradientPoolOptions, 'workers' | 'latentDim'> {
  /** Threads computing gradients, the main thread included (1 = no workers, same as trainStep). */
  workers: number;
}

/** A batch as typed arrays: `images` NHWC flat, `eps` [n, latentDim] flat, from the run's seeded stream. */
export interface StepBatch {
  images: Float32Array;
  eps: Float32Array;
}

export class ParallelTrainer {
  /** Live tensor counts the workers reported after the last step (index 0 = worker 1). */
  lastWorkerTensorCounts: number[] = [];

  private constructor(private readonly model: CVAE, private readonly pool: GradientWorkerPool | undefined) {}

  /** Starts `workers − 1` worker threads holding replicas of `model`'s architecture. */
  static async start(model: CVAE, options: ParallelTrainerOptions): Promise<ParallelTrainer> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    if (options.workers === 1) return new ParallelTrainer(model, undefined);
    const parameterCount = flatSize(model.trainableVariables());
    const pool = await GradientWorkerPool.start({ ...options, workers: options.workers - 1, latentDim: model.latentDim }, parameterCount);
    return new ParallelTrainer(model, pool);
  }

  get threads(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  /**
   * One step: shard gradients in parallel, sum, one update. Returns the full batch's mean −ELBO.
   * A non-finite loss throws NonFiniteLossError before the update (weights and Adam state untouched);
   * a failed worker rejects with WorkerFailedError, also before any update.
   */
  async step(optimizer: tf.Optimizer, batch: StepBatch, kl: KlEstimator): Promise<number> {
    const batchSize = batch.images.length / PIXELS;
    const [own, ...delegated] = shardRanges(batchSize, this.threads);
    const weights = delegated.length > 0 ? flattenTensors(this.model.trainableVariables()) : new Float32Array(0);
    const remote = delegated.map((range, i) => this.workerPool.computeShard(i + 1, this.shardJob(batch, range, batchSize, kl, weights, i === delegated.length - 1)));
    let local: { loss: number; grads: tf.Tensor[] };
    try {
      local = this.computeOwnShard(batch, own, batchSize, kl);
    } catch (error) {
      await Promise.allSettled(remote); // let every worker finish (or fail) before the error propagates
      throw error;
    }
    try {
      const results = await Promise.all(remote);
      this.lastWorkerTensorCounts = results.map((result) => result.numTensors);
      return this.applySummed(optimizer, local, results);
    } finally {
      tf.dispose(local.grads);
    }
  }

  private get workerPool(): GradientWorkerPool {
    if (this.pool == null) throw new Error('ParallelTrainer: no worker threads (workers = 1) but the batch was split');
    return this.pool;
  }

  /** Terminates the worker threads. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  private shardJob(batch: StepBatch, range: ShardRange, batchSize: number, kl: KlEstimator, weights: Float32Array, isLast: boolean) {
    const latentDim = this.model.latentDim;
    // slice(), not subarray(): transferring a view would detach the whole batch's buffer.
    return {
      weights: isLast ? weights : weights.slice(),
      images: batch.images.slice(range.start * PIXELS, (range.start + range.size) * PIXELS),
      eps: batch.eps.slice(range.start * latentDim, (range.start + range.size) * latentDim),
      shardSize: range.size,
      batchSize,
      kl,
    };
  }

  private computeOwnShard(batch: StepBatch, range: ShardRange, batchSize: number, kl: KlEstimator) {
    const latentDim = this.model.latentDim;
    const x = tf.tensor4d(batch.images.subarray(0, range.size * PIXELS), [range.size, ...IMAGE_SHAPE]);
    const eps = tf.tensor2d(batch.eps.subarray(0, range.size * latentDim), [range.size, latentDim]);
    try {
      return computeShardGradients(this.model, x, eps, batchSize, kl);
    } finally {
      tf.dispose([x, eps]);
    }
  }

  private applySummed(optimizer: tf.Optimizer, local: { loss: number; grads: tf.Tensor[] }, remote: ShardResult[]): number {
    const loss = remote.reduce((total, result) => total + result.loss, local.loss);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    if (remote.length === 0) {
      applyGradients(optimizer, this.model, local.grads);
      return loss;
    }
    const summed = flattenTensors(local.grads);
    for (const result of remote) addInto(summed, result.grads);
    const grads = unflattenToTensors(summed, this.model.trainableVariables());
    try {
      applyGradients(optimizer, this.model, grads);
    } finally {
      tf.dispose(grads);
    }
    return loss;
  }
}

/** target += source, element-wise (float32 rounding, in a fixed order so runs are reproducible). */
function addInto(target: Float32Array, source: Float32Array): void {
  if (source.length !== target.length) throw new Error(`gradient sizes differ: ${source.length} vs ${target.length}`);
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}
