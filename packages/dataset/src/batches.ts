import { channelsOf, ImageSet } from './preprocess';
import { SeededRandom } from './random';

/** One batch as typed arrays; `shape` is NHWC. */
export interface Batch {
  images: Float32Array;
  labels: Uint8Array;
  /** Positions of the batch's images in the ImageSet. */
  indices: Uint32Array;
  shape: [number, number, number, number];
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed; omit to keep the stored order. */
  seed?: number;
  /** Skip this many batches (to resume mid-epoch in the same order). */
  startBatch?: number;
}

/** The visiting order of one epoch: identity, or a Fisher–Yates shuffle from `seed` (same on every machine). */
export function epochOrder(count: number, seed?: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return seed === undefined ? order : new SeededRandom(seed).shuffle(order);
}

/** Number of batches in one pass, counting the final partial batch. */
export function batchCount(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** Yields batches over the set; the final batch is partial when the size does not divide the count. */
export function* iterateBatches(set: ImageSet, options: BatchOptions): Generator<Batch> {
  const { batchSize, seed, startBatch = 0 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = epochOrder(set.count, seed);
  for (let start = startBatch * batchSize; start < set.count; start += batchSize) {
    yield gatherBatch(set, order.subarray(start, Math.min(start + batchSize, set.count)));
  }
}

/** Copies the images and labels at `indices` into a new batch. */
export function gatherBatch(set: ImageSet, indices: Uint32Array): Batch {
  const channels = channelsOf(set);
  const pixels = set.height * set.width * channels;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, row) => {
    images.set(set.images.subarray(index * pixels, (index + 1) * pixels), row * pixels);
    labels[row] = set.labels[index];
  });
  return { images, labels, indices: Uint32Array.from(indices), shape: [indices.length, set.height, set.width, channels] };
}
