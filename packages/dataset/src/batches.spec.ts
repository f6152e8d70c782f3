import { batchCount, epochOrder, iterateBatches } from './batches';
import type { ImageSet } from './preprocess';

function numberedSet(count: number): ImageSet {
  // Each 2x2 image is filled with its own index so batches can be traced back.
  const images = Float32Array.from({ length: count * 4 }, (_, k) => Math.floor(k / 4));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { split: 'train', count, height: 2, width: 2, images, labels, binarization: 'none' };
}

describe('batching', () => {
  it('covers every image once, with a final partial batch', () => {
    const batches = [...iterateBatches(numberedSet(10), { batchSize: 4, seed: 7 })];
    expect(batches.map((b) => b.shape)).toEqual([[4, 2, 2, 1], [4, 2, 2, 1], [2, 2, 2, 1]]);
    const seen = batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batchCount(10, 4)).toBe(3);
  });

  it('copies the right pixels and labels for each index', () => {
    for (const batch of iterateBatches(numberedSet(10), { batchSize: 3, seed: 1 })) {
      batch.indices.forEach((index, row) => {
        expect(Array.from(batch.images.subarray(row * 4, row * 4 + 4))).toEqual([index, index, index, index]);
        expect(batch.labels[row]).toBe(index % 10);
      });
    }
  });

  it('gives the same order for the same seed, on every machine', () => {
    // Pinned values: a change in the PRNG or the shuffle would change data order everywhere.
    expect(Array.from(epochOrder(10, 42))).toEqual(Array.from(epochOrder(10, 42)));
    expect(Array.from(epochOrder(10, 42))).toMatchInlineSnapshot(`
[
  0,
  7,
  3,
  5,
  2,
  1,
  8,
  9,
  4,
  6,
]
`);
    expect(Array.from(epochOrder(10, 43))).not.toEqual(Array.from(epochOrder(10, 42)));
  });

  it('keeps the stored order without a seed, and resumes at a batch', () => {
    const all = [...iterateBatches(numberedSet(7), { batchSize: 2 })].map((b) => Array.from(b.indices));
    expect(all).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
    const resumed = [...iterateBatches(numberedSet(7), { batchSize: 2, startBatch: 2 })].map((b) => Array.from(b.indices));
    expect(resumed).toEqual([[4, 5], [6]]);
  });

  it('rejects a batch size of zero', () => {
    expect(() => iterateBatches(numberedSet(3), { batchSize: 0 }).next()).toThrow(/batchSize must be a positive integer, got 0/);
  });
});
