/**
 * The one threaded driver: this thread plus `threads − 1` replica workers, used by training and
 * evaluation alike. Two ways to share work:
 *
 * - `sharded`: fixed shards, one per thread (shard 0 on this thread, shard i on worker i), all
 *   awaited — a data-parallel training step.
 * - `queue`: items handed out in order to whichever thread is free — metrics over image chunks. This
 *   thread starts at once and workers join when their replica is ready, so start-up never idles it.
 *
 * The replicas' weights follow the model's: after changing the model's weights, call
 * `weightsChanged()`, and each worker receives the new weights (one flat Float32Array) with its next
 * request; until then requests carry none. Failure handling is the pool's: a crash, exit, failed
 * start or silence rejects with a WorkerFailedError naming the worker, and the pool stays broken.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { CVAE } from '@cvae/model';
import { preferenceOf } from '@cvae/tfjs-kernels';
import { ReplicaPool, ReplicaResponse } from './pool';
import { flatSize, flattenTensors, WorkerFault } from './protocol';

/** The built-in task: metrics of a chunk of images (see metrics.ts). Named without extension; see worker-entry.ts. */
export const METRICS_TASK = 'metrics';
const METRICS_TASK_MODULE = path.join(__dirname, 'metrics-task');
/** Requests a queue keeps at each worker (see workerLoop). */
const ITEMS_IN_FLIGHT_PER_WORKER = 2;

export interface ReplicasOptions {
  /** Threads computing, this one included (1 = no worker threads). */
  threads: number;
  /** initBackend preference for the workers (default: the backend active on this thread now). */
  backend?: string;
  /** Task name → module exporting `runTask` (besides the built-in 'metrics'). */
  tasks?: Record<string, string>;
  /** Per request; generous because a slow or shared machine must not fail a healthy run. */
  requestTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Testing hook: worker index (1-based) → fault to inject. */
  faults?: Record<number, WorkerFault>;
  /** Names the pool in "… is closed" errors. */
  label?: string;
}

/** What a worker is sent for one item: the payload and the buffers to transfer rather than copy. */
export interface RemoteWork<Request> {
  payload: Request;
  transfer?: ArrayBuffer[];
}

export interface ShardedJob<Local> {
  task: string;
  /** Shards in all, this thread's included (at most `threads`). */
  shards: number;
  /** Computes shard 0 on this thread. */
  local(): Local;
  /** What worker `worker` (1-based) is sent for its shard. */
  remote(worker: number): RemoteWork<unknown>;
  /** Frees this thread's result when a worker's shard failed. */
  discard?(local: Local): void;
}

export interface QueueJob<Item, Result> {
  task: string;
  /** The next item, or undefined when there is none left. Called in hand-out order. */
  next(): Item | undefined;
  /** Items in all (bounds the workers started: a single item never starts one). */
  count: number;
  /** Computes an item on this thread. */
  local(item: Item): Result;
  /** What a worker is sent for an item; the worker's task answers with a Result. */
  remote(item: Item): RemoteWork<unknown>;
  /** Called once per item, in completion order. */
  done(item: Item, result: Result): void;
}

export class Replicas {
  private pool: Promise<ReplicaPool> | undefined;
  private weightsVersion = 1;
  private readonly sentVersion = new Map<number, number>();
  private flatWeights: { version: number; values: Float32Array } | undefined;

  private constructor(
    readonly model: CVAE,
    private readonly options: ReplicasOptions,
  ) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`workers must be a positive integer, got ${options.threads}`);
  }

  /** Replicas whose workers start when first needed. */
  static create(model: CVAE, options: ReplicasOptions): Replicas {
    return new Replicas(model, options);
  }

  /** Replicas whose workers are started and ready (a worker that cannot start fails here). */
  static async start(model: CVAE, options: ReplicasOptions): Promise<Replicas> {
    const replicas = new Replicas(model, options);
    if (replicas.workers > 0) await replicas.startPool();
    return replicas;
  }

  get threads(): number {
    return this.options.threads;
  }

  get workers(): number {
    return this.options.threads - 1;
  }

  /** The model's weights changed: every worker gets them with its next request. */
  weightsChanged(): void {
    this.weightsVersion += 1;
  }

  /**
   * One shard per thread: `job.local()` here, `job.remote(i)` on worker i (1-based), for
   * `job.shards − 1` workers. Resolves when all are done. If this thread's shard throws, the
   * workers' shards are still awaited before the error propagates; if a worker's fails, this
   * thread's result is handed to `job.discard` (e.g. to free its tensors) before the error propagates.
   */
  async sharded<Local, Result>(job: ShardedJob<Local>): Promise<{ local: Local; remote: ReplicaResponse<Result>[] }> {
    if (job.shards > this.threads) throw new RangeError(`${job.shards} shards for ${this.threads} threads`);
    const pool = job.shards > 1 ? await this.startPool() : undefined;
    const pending = Array.from({ length: job.shards - 1 }, (_, i) => this.send<Result>(pool as ReplicaPool, i + 1, job.task, job.remote(i + 1)));
    let own: Local;
    try {
      own = job.local();
    } catch (error) {
      await Promise.allSettled(pending);
      throw error;
    }
    try {
      return { local: own, remote: await Promise.all(pending) };
    } catch (error) {
      job.discard?.(own);
      throw error;
    }
  }

  /** Runs every item of `job` on this thread and the workers; rejects with the first failure. */
  async queue<Item, Result>(job: QueueJob<Item, Result>): Promise<void> {
    let aborted = false;
    const next = () => (aborted ? undefined : job.next());
    const loops = [this.localLoop(job, next)];
    const workers = Math.min(this.threads, job.count) - 1;
    if (workers > 0) {
      const pool = this.startPool();
      for (let index = 1; index <= workers; index++) loops.push(this.workerLoop(pool, index, job, next));
    }
    try {
      await Promise.all(loops);
    } catch (error) {
      aborted = true;
      await Promise.allSettled(loops);
      throw error;
    }
  }

  /** Terminates the workers. Safe to call more than once and after a failure. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.then((p) => p.close(), () => undefined);
  }

  private async localLoop<Item, Result>(job: QueueJob<Item, Result>, next: () => Item | undefined): Promise<void> {
    for (let item = next(); item !== undefined; item = next()) {
      job.done(item, job.local(item));
      // Lets worker answers (and their progress) in between this thread's items.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Feeds worker `index` until the items run out, with ITEMS_IN_FLIGHT_PER_WORKER requests queued at
   * it: this thread answers worker messages only between its own items, so with one in flight the
   * worker would idle from its answer until this thread finished its item (a quarter of the worker's
   * time in `cvae eval`, measured).
   */
  private async workerLoop<Item, Result>(pool: Promise<ReplicaPool>, index: number, job: QueueJob<Item, Result>, next: () => Item | undefined): Promise<void> {
    const ready = await pool;
    let failed = false;
    const feed = async (): Promise<void> => {
      for (let item = failed ? undefined : next(); item !== undefined; item = failed ? undefined : next()) {
        const { result } = await this.send<Result>(ready, index, job.task, job.remote(item));
        job.done(item, result);
      }
    };
    const feeds = Array.from({ length: ITEMS_IN_FLIGHT_PER_WORKER }, () =>
      feed().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    const settled = await Promise.allSettled(feeds);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private send<Result>(pool: ReplicaPool, index: number, task: string, work: RemoteWork<unknown>): Promise<ReplicaResponse<Result>> {
    const weights = this.weightsFor(index);
    const transfer = [...(work.transfer ?? []), ...(weights ? [weights.buffer as ArrayBuffer] : [])];
    return pool.request<unknown, Result>(index, { task, payload: work.payload, weights, transfer });
  }

  /** A copy of the current weights if worker `index` has not been sent this version yet. */
  private weightsFor(index: number): Float32Array | undefined {
    if (this.sentVersion.get(index) === this.weightsVersion) return undefined;
    this.sentVersion.set(index, this.weightsVersion);
    if (this.flatWeights?.version !== this.weightsVersion) {
      this.flatWeights = { version: this.weightsVersion, values: flattenTensors(this.model.trainableVariables()) };
    }
    return this.flatWeights.values.slice();
  }

  private startPool(): Promise<ReplicaPool> {
    if (this.pool === undefined) {
      const { threads, backend = activeBackendPreference(), tasks = {}, label = 'worker pool', ...rest } = this.options;
      this.pool = ReplicaPool.start(
        { ...rest, label, workers: threads - 1, backend, architecture: this.model.architecture, seed: 0, tasks: { [METRICS_TASK]: METRICS_TASK_MODULE, ...tasks } },
        flatSize(this.model.trainableVariables()),
      );
      // A failed start is reported to whoever awaits it; no unhandled rejection meanwhile.
      this.pool.catch(() => undefined);
    }
    return this.pool;
  }
}

/** This thread's active backend, as an initBackend preference, so every replica computes alike. */
function activeBackendPreference(): string {
  return preferenceOf(tf.getBackend());
}
