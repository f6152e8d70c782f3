import { SeededRandom } from '@cvae/dataset';
import { GaussianFit, classCoverage, fitGaussian, frechetDistance } from './frechet';

/** A 2-D Gaussian given directly (no sampling). */
function gaussian(mean: number[], covariance: number[][]): GaussianFit {
  return { count: 1000, dim: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(covariance.flat()) };
}

/** tr((AB)^{1/2}) for 2×2 SPD A, B, independently of any eigen-solver: (√λ₁ + √λ₂)² = tr(AB) + 2√det(AB). */
function traceSqrtProduct2x2(a: number[][], b: number[][]): number {
  const ab = [
    [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
    [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
  ];
  const det = ab[0][0] * ab[1][1] - ab[0][1] * ab[1][0];
  return Math.sqrt(ab[0][0] + ab[1][1] + 2 * Math.sqrt(det));
}

describe('fitGaussian', () => {
  test('mean and unbiased covariance of known rows', () => {
    // Rows (1, 2), (3, 6), (5, 10): mean (3, 6); deviations (−2, −4), (0, 0), (2, 4) → cov [[4, 8], [8, 16]].
    const fit = fitGaussian(Float32Array.from([1, 2, 3, 6, 5, 10]), 2);
    expect(fit.count).toBe(3);
    expect(Array.from(fit.mean)).toEqual([3, 6]);
    expect(Array.from(fit.covariance)).toEqual([4, 8, 8, 16]);
  });

  test('needs two rows', () => {
    expect(() => fitGaussian(Float32Array.from([1, 2]), 2)).toThrow('need at least 2 vectors');
  });
});

describe('frechetDistance', () => {
  test('diagonal covariances: ‖Δμ‖² + Σ (σ₁ − σ₂)²', () => {
    const p = gaussian([0, 0], [[1, 0], [0, 4]]);
    const q = gaussian([3, 0], [[9, 0], [0, 1]]);
    // 9 + (1 − 3)² + (2 − 1)² = 14
    expect(frechetDistance(p, q)).toBeCloseTo(14, 10);
    expect(frechetDistance(q, p)).toBeCloseTo(14, 10);
  });

  test('covariances that do not commute match the closed form for 2×2 matrices', () => {
    const a = [[2, 0.9], [0.9, 1]];
    const b = [[1, -0.4], [-0.4, 3]];
    const expected = 1 ** 2 + 2 ** 2 + (2 + 1) + (1 + 3) - 2 * traceSqrtProduct2x2(a, b);
    expect(frechetDistance(gaussian([1, 2], a), gaussian([0, 0], b))).toBeCloseTo(expected, 10);
  });

  test('a set against itself is 0, and the distance grows with a shift of the mean', () => {
    const random = new SeededRandom(5);
    const vectors = random.normals(4000 * 8);
    const fit = fitGaussian(vectors, 8);
    expect(frechetDistance(fit, fit)).toBeLessThan(1e-9);
    const shifted = Float32Array.from(vectors, (v, i) => (i % 8 === 0 ? v + 2 : v));
    expect(frechetDistance(fit, fitGaussian(shifted, 8))).toBeCloseTo(4, 6);
  });

  test('a singular covariance (fewer vectors than dimensions) still gives a finite, non-negative distance', () => {
    const random = new SeededRandom(9);
    const few = fitGaussian(random.normals(5 * 16), 16);
    const many = fitGaussian(random.normals(2000 * 16), 16);
    const distance = frechetDistance(few, many);
    expect(Number.isFinite(distance)).toBe(true);
    expect(distance).toBeGreaterThan(0);
  });
});

describe('classCoverage', () => {
  /** One-hot-ish rows: class c with probability `p`, the rest spread evenly. */
  function rows(classes: number[], p = 0.91): Float32Array {
    const out = new Float32Array(classes.length * 10).fill((1 - p) / 9);
    classes.forEach((c, i) => (out[i * 10 + c] = p));
    return out;
  }

  test('ten equal classes: shares 0.1, entropy ln 10, mean confidence the max probability', () => {
    const coverage = classCoverage(rows(Array.from({ length: 100 }, (_, i) => i % 10)), 10);
    expect(coverage.classShares).toEqual(new Array(10).fill(0.1));
    expect(coverage.entropy).toBeCloseTo(Math.log(10), 12);
    expect(coverage.minClassShare).toBe(0.1);
    expect(coverage.meanConfidence).toBeCloseTo(0.91, 6);
  });

  test('a missing class has share 0 and is named; one class alone has entropy 0', () => {
    const without7 = classCoverage(rows(Array.from({ length: 90 }, (_, i) => [0, 1, 2, 3, 4, 5, 6, 8, 9][i % 9])), 10);
    expect(without7.minClassShare).toBe(0);
    expect(without7.minClass).toBe(7);
    expect(without7.entropy).toBeCloseTo(Math.log(9), 12);
    expect(classCoverage(rows([3, 3, 3]), 10).entropy).toBe(0);
  });
});
