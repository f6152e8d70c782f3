/**
 * Evaluation spread over threads: the main thread plus replica workers (@cvae/model's ReplicaPool
 * running `parallel-task`). The images are cut into contiguous chunks, handed out in order to
 * whichever thread is free; each chunk's eps is drawn when it is handed out, from the one seeded
 * stream, so chunk c gets exactly the draws it gets on one thread, whoever computes it. Results are
 * written back by image index, so the per-image values — and every mean — do not depend on the
 * number of threads (the model replicas run the same kernels on the same backend).
 *
 * The main thread starts computing at once; workers join when their replica is ready (~1 s), so
 * the start-up never idles the main thread, and a busy core slows its thread without stalling others.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { CVAE, IMAGE_SHAPE, ReplicaPool, flatSize, flattenTensors } from '@cvae/model';
import { ChunkRequest, computeChunk } from './parallel-task';

const PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2];
/** Without extension: parallel-task.js when built, parallel-task.ts under jest (see @cvae/model worker-entry.ts). */
const TASK_MODULE = path.join(__dirname, 'parallel-task');

export interface ChunkedJob {
  kind: ChunkRequest['kind'];
  images: Float32Array;
  imagesPerChunk: number;
  /** Normals per image, drawn from `eps` in image order. */
  epsPerImage: number;
  eps: SeededRandom;
  /** IWAE samples per image. */
  k?: number;
  /** Called once per chunk, in completion order, with the chunk's first image and its values. */
  onChunk: (start: number, count: number, values: Float32Array) => void;
}

/** Threads (the main one included) that evaluate; `threads − 1` replica workers are started when first needed, once. */
export class EvaluationThreads {
  private pool: Promise<ReplicaPool> | undefined;

  constructor(private readonly model: CVAE, readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`workers must be a positive integer, got ${threads}`);
  }

  /** Runs every chunk of `job`; rejects with the first failure (a WorkerFailedError names the worker). */
  async run(job: ChunkedJob): Promise<void> {
    const queue = new ChunkQueue(job);
    const workers = Math.min(this.threads, queue.chunks) - 1;
    const loops = [this.mainThreadLoop(queue, job)];
    if (workers > 0) loops.push(...this.workerLoops(queue, job, workers));
    try {
      await Promise.all(loops);
    } catch (error) {
      queue.abort();
      await Promise.allSettled(loops);
      throw error;
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.then((p) => p.close(), () => undefined);
  }

  private async mainThreadLoop(queue: ChunkQueue, job: ChunkedJob): Promise<void> {
    for (let chunk = queue.next(); chunk; chunk = queue.next()) {
      job.onChunk(chunk.start, chunk.count, computeChunk(this.model, chunk.request));
      // Lets worker answers (and their progress) in between this thread's chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** One loop per worker, each starting once the pool is ready; the main thread's loop does not wait for it. */
  private workerLoops(queue: ChunkQueue, job: ChunkedJob, workers: number): Promise<void>[] {
    const pool = this.startPool();
    return Array.from({ length: workers }, async (_, i) => {
      const ready = await pool;
      let weightsSent = false;
      for (let chunk = queue.next(); chunk; chunk = queue.next()) {
        // The weights travel once per worker and run, with its first chunk (one flat Float32Array).
        const weights = weightsSent ? undefined : flattenTensors(this.model.trainableVariables());
        weightsSent = true;
        const { images, eps } = chunk.request;
        const transfer = [images.buffer, eps.buffer, ...(weights ? [weights.buffer] : [])] as ArrayBuffer[];
        const { result } = await ready.request<ChunkRequest, Float32Array>(i + 1, { payload: chunk.request, weights, transfer });
        job.onChunk(chunk.start, chunk.count, result);
      }
    });
  }

  /** Always `threads − 1` workers, so a later phase with more chunks (IWAE after the ELBO) finds all it may use. */
  private startPool(): Promise<ReplicaPool> {
    this.pool ??= ReplicaPool.start(
      { workers: this.threads - 1, backend: workerBackend(), latentDim: this.model.latentDim, seed: 0, taskModule: TASK_MODULE, label: 'evaluation worker pool' },
      flatSize(this.model.trainableVariables()),
    );
    return this.pool;
  }
}

interface Chunk {
  start: number;
  count: number;
  request: ChunkRequest;
}

/** Hands out chunks in image order, drawing each one's eps as it goes, so the stream is the single-thread one. */
class ChunkQueue {
  readonly chunks: number;
  private nextStart = 0;
  private aborted = false;

  constructor(private readonly job: ChunkedJob) {
    this.chunks = Math.ceil(job.images.length / PIXELS / job.imagesPerChunk);
  }

  next(): Chunk | undefined {
    const total = this.job.images.length / PIXELS;
    if (this.aborted || this.nextStart >= total) return undefined;
    const start = this.nextStart;
    const count = Math.min(this.job.imagesPerChunk, total - start);
    this.nextStart += count;
    // slice(), not subarray(): the arrays are transferred to a worker, which would detach the whole set.
    const images = this.job.images.slice(start * PIXELS, (start + count) * PIXELS);
    const eps = this.job.eps.normals(count * this.job.epsPerImage);
    const request: ChunkRequest = this.job.kind === 'elbo' ? { kind: 'elbo', images, eps } : { kind: 'iwae', images, eps, k: this.job.k ?? 1 };
    return { start, count, request };
  }

  abort(): void {
    this.aborted = true;
  }
}

/** The main thread's active backend, as an initBackend preference. */
function workerBackend(): string {
  const name = tf.getBackend();
  return name === 'tensorflow' ? 'tfjs-node' : name;
}
