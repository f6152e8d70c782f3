import { chunkPlan } from './metrics';

describe('chunkPlan', () => {
  it('one thread: full chunks, then the rest', () => {
    expect(chunkPlan(1200, 500, 1)).toEqual([500, 500, 200]);
  });

  it('several threads: full chunks, then the last threads × most images in 2 × threads pieces', () => {
    expect(chunkPlan(10_000, 500, 2)).toEqual([...Array<number>(18).fill(500), 250, 250, 250, 250]);
    expect(chunkPlan(1200, 500, 2)).toEqual([200, 250, 250, 250, 250]);
    expect(chunkPlan(10_000, 16, 2).slice(-6)).toEqual([16, 16, 8, 8, 8, 8]);
  });

  it('at most one chunk per thread: shared evenly, one each', () => {
    expect(chunkPlan(200, 100, 2)).toEqual([100, 100]);
    expect(chunkPlan(151, 100, 2)).toEqual([76, 75]);
    expect(chunkPlan(1, 100, 2)).toEqual([1]);
  });

  it('covers every image once, never more than most, never less than one', () => {
    for (const [total, most, threads] of [[7, 1, 3], [33, 16, 3], [5, 1024, 3], [10_001, 64, 2], [999, 100, 4]]) {
      const sizes = chunkPlan(total, most, threads);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(most);
    }
  });
});
