import { chunkPlan } from './metrics';

/** The chunk sizes of a plan. */
const sizes = (total: number, most: number, threads: number) => chunkPlan(total, most, threads).map((chunk) => chunk.count);

describe('chunkPlan', () => {
  it('one thread: full chunks, then the rest', () => {
    expect(sizes(1200, 500, 1)).toEqual([500, 500, 200]);
  });

  it('several threads: full chunks, then the last threads × most images in 2 × threads pieces', () => {
    expect(sizes(10_000, 500, 2)).toEqual([...Array<number>(18).fill(500), 250, 250, 250, 250]);
    expect(sizes(1200, 500, 2)).toEqual([200, 250, 250, 250, 250]);
    expect(sizes(10_000, 16, 2).slice(-6)).toEqual([16, 16, 8, 8, 8, 8]);
  });

  it('at most one chunk per thread: shared evenly, one each', () => {
    expect(sizes(200, 100, 2)).toEqual([100, 100]);
    expect(sizes(151, 100, 2)).toEqual([76, 75]);
    expect(sizes(1, 100, 2)).toEqual([1]);
  });

  it('contiguous ranges covering every image once, never more than most, never less than one', () => {
    for (const [total, most, threads] of [[7, 1, 3], [33, 16, 3], [5, 1024, 3], [10_001, 64, 2], [999, 100, 4]]) {
      const chunks = chunkPlan(total, most, threads);
      chunks.forEach((chunk, i) => expect(chunk.start).toBe(i === 0 ? 0 : chunks[i - 1].start + chunks[i - 1].count));
      const last = chunks[chunks.length - 1];
      expect(last.start + last.count).toBe(total);
      expect(Math.min(...chunks.map((c) => c.count))).toBeGreaterThanOrEqual(1);
      expect(Math.max(...chunks.map((c) => c.count))).toBeLessThanOrEqual(most);
    }
  });
});
