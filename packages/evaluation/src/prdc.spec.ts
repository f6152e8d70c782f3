import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { densityCoverage, neighbourhoods, prdc } from './prdc';

beforeAll(async () => {
  await initBackend('wasm');
});

/** PRDC straight from the definitions (Naeem et al. 2020), in float64 with explicit pairwise distances. */
function bruteForcePrdc(real: Float32Array, fake: Float32Array, dim: number, k: number) {
  const rows = (v: Float32Array) => Array.from({ length: v.length / dim }, (_, i) => Array.from(v.subarray(i * dim, (i + 1) * dim)));
  const [r, f] = [rows(real), rows(fake)];
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((ai, t) => ai - b[t]));
  const kth = (set: number[][]) => set.map((p) => set.map((q) => dist(p, q)).sort((x, y) => x - y)[k]);
  const [rr, rf] = [kth(r), kth(f)];
  const inside = (p: number[], balls: number[][], radii: number[]) => balls.filter((c, i) => dist(p, c) < radii[i]).length;
  return {
    precision: f.filter((p) => inside(p, r, rr) > 0).length / f.length,
    recall: r.filter((p) => inside(p, f, rf) > 0).length / r.length,
    density: f.reduce((sum, p) => sum + inside(p, r, rr), 0) / (k * f.length),
    coverage: r.filter((c, i) => f.some((p) => dist(p, c) < rr[i])).length / r.length,
  };
}

function gaussianRows(count: number, dim: number, shift: number, seed: number, scale = 1): Float32Array {
  return new SeededRandom(seed).normals(count * dim).map((v, i) => scale * v + (i % dim === 0 ? shift : 0));
}

describe('prdc', () => {
  test('matches the definitions on small random sets, with more rows than one distance block', () => {
    // 620 reals: two blocks of rows; fakes narrower and shifted, so all four are strictly between 0 and 1.
    const [real, fake] = [gaussianRows(620, 5, 0, 1), gaussianRows(150, 5, 0.7, 2, 0.6)];
    const measured = prdc(real, fake, 5, 5);
    const expected = bruteForcePrdc(real, fake, 5, 5);
    for (const key of ['precision', 'recall', 'density', 'coverage'] as const) expect(measured[key]).toBeCloseTo(expected[key], 10);
    for (const value of [measured.precision, measured.recall, measured.coverage]) expect(value > 0 && value < 1).toBe(true);
  });

  test('a set against itself: precision, recall and coverage 1, density exactly 1', () => {
    const x = gaussianRows(400, 6, 0, 3);
    const self = prdc(x, x, 6);
    expect([self.precision, self.recall, self.coverage]).toEqual([1, 1, 1]);
    // Each open ball holds its centre and the k − 1 nearer neighbours (the k-th lies on the edge): k per ball.
    expect(self.density).toBeCloseTo(1, 10);
  });

  test('far-away samples: precision, density and coverage 0', () => {
    const real = neighbourhoods(gaussianRows(300, 4, 0, 4), 4);
    expect(densityCoverage(real, gaussianRows(200, 4, 50, 5))).toEqual({ precision: 0, density: 0, coverage: 0 });
  });

  test('samples of one mode cover only that mode, at full precision', () => {
    // Reals: two far-apart clusters; fakes: fresh draws of the first cluster only.
    const real = new Float32Array([...gaussianRows(300, 4, 0, 6), ...gaussianRows(300, 4, 40, 7)]);
    const result = densityCoverage(neighbourhoods(real, 4), gaussianRows(300, 4, 0, 8));
    expect(result.precision).toBeGreaterThan(0.9);
    expect(result.coverage).toBeGreaterThan(0.4);
    expect(result.coverage).toBeLessThanOrEqual(0.5);
  });

  test('k + 1 vectors at least, in one line', () => {
    expect(() => neighbourhoods(gaussianRows(5, 3, 0, 9), 3, 5)).toThrow('neighbourhoods: k = 5 needs at least 6 vectors, got 5');
  });
});
