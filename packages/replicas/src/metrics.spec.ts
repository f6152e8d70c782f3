import { chunkSize } from './metrics';

/** The chunk sizes handed out, in order, for `total` images. */
function plan(most: number, total: number, threads: number): number[] {
  const sizes: number[] = [];
  for (let remaining = total; remaining > 0; remaining -= sizes[sizes.length - 1]) sizes.push(chunkSize(most, remaining, threads));
  return sizes;
}

describe('chunkSize', () => {
  it('one thread: full chunks, then the rest', () => {
    expect(plan(500, 1200, 1)).toEqual([500, 500, 200]);
  });

  it('several threads: full chunks, shrinking to a quarter towards the end, covering every image once', () => {
    const sizes = plan(500, 10_000, 2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(sizes.slice(0, 17).every((s) => s === 500)).toBe(true);
    expect(sizes.slice(17)).toEqual([375, 282, 211, 158, 125, 125, 125, 99]);
  });

  it('never more than the remaining images, never less than one', () => {
    for (const [most, total] of [[1, 7], [16, 33], [1024, 5]]) {
      const sizes = plan(most, total, 3);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(most);
    }
  });
});
