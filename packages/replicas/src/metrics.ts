/**
 * Per-image metrics of a set of images on all threads. The images are cut into contiguous chunks,
 * handed out in order to whichever thread is free; each chunk's eps is drawn when it is handed out,
 * from the one seeded stream, so chunk c gets exactly the draws it gets on one thread, whoever
 * computes it. Values are written back by image index, so the per-image values — and every mean —
 * do not depend on the number of threads (the replicas run the same kernels on the same backend).
 */
import { SeededRandom, deriveSeed } from '@cvae/dataset';
import { ELBO_EPS_LABEL, IWAE_EPS_LABEL, MetricChunk, PerImageMetrics, computeMetricChunk, emptyPerImageMetrics, storeBatchMetrics } from '@cvae/model';
import { METRICS_TASK, Replicas } from './replicas';

/**
 * Decoder passes per IWAE chunk: bounds memory (k samples × images per chunk; the largest activation
 * is 100 KB per decode, so 1024 decodes hold ~100 MB per thread) and the idle tail when the last chunk
 * runs on one thread. The cost per decode is the same from 256 decodes per chunk up (measured).
 */
const IWAE_DECODES_PER_CHUNK = 1024;

export interface MetricsJobOptions {
  /** Seeds the eps streams (ELBO: deriveSeed(seed, 'elbo-eps'), IWAE: deriveSeed(seed, 'iwae-eps')). */
  seed: number;
  /** Images per ELBO chunk; bounds memory, not results. */
  batchSize?: number;
  /** Called after every chunk with the number of images done so far. */
  onProgress?: (done: number) => void;
}

/** ELBO (single-sample Monte Carlo), KL, MSE and cross-entropy of every image (NHWC flat `images`). */
export async function perImageMetrics(replicas: Replicas, images: Float32Array, options: MetricsJobOptions): Promise<PerImageMetrics> {
  const out = emptyPerImageMetrics(images.length / replicas.model.pixelsPerImage);
  await runChunks(replicas, images, {
    imagesPerChunk: options.batchSize ?? 500,
    epsPerImage: replicas.model.latentDim,
    eps: new SeededRandom(deriveSeed(options.seed, ELBO_EPS_LABEL)),
    chunk: (chunkImages, eps) => ({ kind: 'elbo', images: chunkImages, eps }),
    store: (start, values) => storeBatchMetrics(out, values, start),
    onProgress: options.onProgress,
  });
  return out;
}

/** The IWAE bound log p(x) with k samples of every image; eps is image-major, so it does not depend on the chunk size. */
export async function perImageIwae(replicas: Replicas, images: Float32Array, k: number, options: Omit<MetricsJobOptions, 'batchSize'>): Promise<Float32Array> {
  const out = new Float32Array(images.length / replicas.model.pixelsPerImage);
  await runChunks(replicas, images, {
    imagesPerChunk: Math.max(1, Math.floor(IWAE_DECODES_PER_CHUNK / k)),
    epsPerImage: k * replicas.model.latentDim,
    eps: new SeededRandom(deriveSeed(options.seed, IWAE_EPS_LABEL)),
    chunk: (chunkImages, eps) => ({ kind: 'iwae', images: chunkImages, eps, k }),
    store: (start, values) => out.set(values, start),
    onProgress: options.onProgress,
  });
  return out;
}

interface ChunkPlan {
  imagesPerChunk: number;
  epsPerImage: number;
  eps: SeededRandom;
  chunk(images: Float32Array, eps: Float32Array): MetricChunk;
  store(start: number, values: Float32Array): void;
  onProgress?: (done: number) => void;
}

interface Chunk {
  start: number;
  count: number;
  request: MetricChunk;
}

async function runChunks(replicas: Replicas, images: Float32Array, plan: ChunkPlan): Promise<void> {
  const pixels = replicas.model.pixelsPerImage;
  const total = images.length / pixels;
  const chunks = chunkPlan(total, plan.imagesPerChunk, replicas.threads);
  let nextChunk = 0;
  let done = 0;
  await replicas.queue<Chunk, Float32Array>({
    task: METRICS_TASK,
    count: chunks.length,
    next: () => {
      if (nextChunk === chunks.length) return undefined;
      const { start, count } = chunks[nextChunk++];
      // slice(), not subarray(): a worker's arrays are transferred, which would detach the whole set.
      const chunkImages = images.slice(start * pixels, (start + count) * pixels);
      return { start, count, request: plan.chunk(chunkImages, plan.eps.normals(count * plan.epsPerImage)) };
    },
    local: (chunk) => computeMetricChunk(replicas.model, chunk.request),
    remote: (chunk) => ({ payload: chunk.request, transfer: [chunk.request.images.buffer, chunk.request.eps.buffer] as ArrayBuffer[] }),
    done: (chunk, values) => {
      plan.store(chunk.start, values);
      plan.onProgress?.((done += chunk.count));
    },
  });
}

/** A contiguous run of images: [start, start + count). */
export interface ImageRange {
  start: number;
  count: number;
}

/**
 * The chunks of `total` images on `threads` threads, in hand-out order: full chunks of `most`, except
 * that the last `threads` full chunks' worth of images is cut in twice as many pieces, so the threads
 * finish together instead of one computing a last full chunk while the others idle; a set of at most
 * one chunk per thread is shared evenly. Values do not depend on it (see above).
 */
export function chunkPlan(total: number, most: number, threads: number): ImageRange[] {
  let sizes: number[];
  if (threads === 1) sizes = fullChunks(total, most);
  else if (total <= threads * most) sizes = evenSplit(total, Math.min(threads, total));
  else sizes = [...fullChunks(total - threads * most, most), ...evenSplit(threads * most, Math.min(2 * threads, threads * most))];
  let start = 0;
  return sizes.map((count) => ({ start: (start += count) - count, count }));
}

/** Chunks of `most`, then the rest. */
function fullChunks(total: number, most: number): number[] {
  return Array.from({ length: Math.ceil(total / most) }, (_, i) => Math.min(most, total - i * most));
}

/** `total` in `pieces` sizes that differ by at most one, larger first. */
function evenSplit(total: number, pieces: number): number[] {
  const base = Math.floor(total / pieces);
  return Array.from({ length: pieces }, (_, i) => base + (i < total % pieces ? 1 : 0));
}
