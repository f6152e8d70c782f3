import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { drawWithoutReplacement, kernelInceptionDistance, kidPlan, unbiasedMmd2 } from './kid';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The unbiased MMD² straight from its definition, in float64, one pair at a time. */
function bruteForceMmd2(x: Float32Array, y: Float32Array, dim: number): number {
  const m = x.length / dim;
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < dim; t++) dot += a[i * dim + t] * b[j * dim + t];
    return (dot / dim + 1) ** 3;
  };
  let [xx, yy, xy] = [0, 0, 0];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) xx += k(x, i, x, j);
      if (i !== j) yy += k(y, i, y, j);
      xy += k(x, i, y, j);
    }
  }
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

/** E k(x, y) for independent x ~ N(a, I), y ~ N(b, I): with u = xᵀy, p = aᵀb, q = ‖a‖² + ‖b‖² + d,
 * E u = p, E u² = p² + q, E u³ = p³ + 3p(q + 2); k = (u/d + 1)³ expanded. */
function expectedKernel(a: number[], b: number[]): number {
  const d = a.length;
  const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);
  const [p, q] = [dot(a, b), dot(a, a) + dot(b, b) + d];
  const [u1, u2, u3] = [p, p * p + q, p ** 3 + 3 * p * (q + 2)];
  return u3 / d ** 3 + (3 * u2) / d ** 2 + (3 * u1) / d + 1;
}

function gaussianRows(count: number, mean: number[], seed: number): Float32Array {
  const dim = mean.length;
  const values = new SeededRandom(seed).normals(count * dim);
  return values.map((v, i) => v + mean[i % dim]);
}

describe('unbiasedMmd2', () => {
  test('matches the pairwise definition on small random sets', () => {
    const [x, y] = [gaussianRows(40, [0, 0, 0, 0, 0, 0], 1), gaussianRows(40, [0.5, 0, -0.3, 0, 0, 1], 2)];
    const expected = bruteForceMmd2(x, y, 6);
    expect(Math.abs(unbiasedMmd2(x, y, 6) - expected)).toBeLessThan(1e-5 * Math.abs(expected) + 1e-9);
  });
});

describe('kernelInceptionDistance', () => {
  test("subsets of torch-fidelity's size, or fewer and smaller for small sets", () => {
    expect(kidPlan(10_000, 10_000)).toEqual({ subsets: 100, subsetSize: 1000 });
    expect(kidPlan(10_000, 600)).toEqual({ subsets: 100, subsetSize: 600 });
    expect(kidPlan(50, 50)).toEqual({ subsets: 1, subsetSize: 50 });
    expect(() => kidPlan(1, 50)).toThrow('KID: need at least 2 vectors in each set, got 1 and 50');
  });

  test('whole sets (one subset) give the pairwise definition, with no spread', () => {
    const [x, y] = [gaussianRows(30, [0, 0, 0, 0], 3), gaussianRows(30, [1, 0, 0, 0], 4)];
    const result = kernelInceptionDistance(x, y, 4, { seed: 0 });
    expect(result.subsets).toBe(1);
    expect(result.kid).toBeCloseTo(bruteForceMmd2(x, y, 4), 5);
    expect(result.kidStd).toBe(0);
  });

  test('two halves of one set score 0 within the spread over subsets (the bias-free estimate can go below 0)', () => {
    // Not x against x: subsets drawn from one set share vectors, whose k(x, x) inflates the cross term.
    const x = gaussianRows(6000, [0, 0, 0, 0, 0, 0, 0, 0], 5);
    const result = kernelInceptionDistance(x.subarray(0, 3000 * 8), x.subarray(3000 * 8), 8, { seed: 1 });
    expect(result).toMatchObject({ subsets: 100, subsetSize: 1000 });
    expect(Math.abs(result.kid)).toBeLessThan(result.kidStd);
    expect(result.kidStd).toBeGreaterThan(0);
  });

  test("a shifted Gaussian gives the polynomial kernel's closed-form MMD²", () => {
    const [a, b] = [[0, 0, 0, 0], [1.5, 0, 0, 0]];
    const expected = expectedKernel(a, a) + expectedKernel(b, b) - 2 * expectedKernel(a, b);
    const result = kernelInceptionDistance(gaussianRows(4000, a, 6), gaussianRows(4000, b, 7), 4, { seed: 2 });
    expect(Math.abs(result.kid - expected)).toBeLessThan(result.kidStd);
    expect(expected).toBeGreaterThan(5 * result.kidStd);
  });

  test('the seed picks the subsets: the same seed repeats, another differs', () => {
    const [x, y] = [gaussianRows(500, [0, 0, 0], 8), gaussianRows(500, [0.3, 0, 0], 9)];
    const options = { seed: 3, subsets: 10, subsetSize: 100 };
    expect(kernelInceptionDistance(x, y, 3, options)).toEqual(kernelInceptionDistance(x, y, 3, options));
    expect(kernelInceptionDistance(x, y, 3, { ...options, seed: 4 }).kid).not.toBe(kernelInceptionDistance(x, y, 3, options).kid);
  });
});

describe('drawWithoutReplacement', () => {
  test('distinct indices in range, all of them when the size is the count', () => {
    const random = new SeededRandom(1);
    const draw = Array.from(drawWithoutReplacement(100, 40, random));
    expect(new Set(draw).size).toBe(40);
    expect(draw.every((i) => i >= 0 && i < 100)).toBe(true);
    expect(Array.from(drawWithoutReplacement(7, 7, random)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
