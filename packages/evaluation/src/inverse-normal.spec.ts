import { inverseNormalCdf, linspace } from './inverse-normal';

describe('inverseNormalCdf (Acklam)', () => {
  // Reference quantiles of N(0, 1) (scipy.stats.norm.ppf), covering the centre and both tails.
  test.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.025, -1.959963984540054],
    [0.95, 1.6448536269514722],
    [0.05, -1.6448536269514729],
    [0.8413447460685429, 1],
    [0.01, -2.3263478740408408],
    [0.999, 3.090232306167813],
    [1e-6, -4.753424308822899],
  ])('Φ⁻¹(%p) ≈ %p', (p, expected) => {
    expect(Math.abs(inverseNormalCdf(p) - expected)).toBeLessThan(1e-8 * Math.max(1, Math.abs(expected)));
  });

  test('is odd around 0.5 and monotone', () => {
    const ps = linspace(0.001, 0.999, 999);
    const qs = ps.map(inverseNormalCdf);
    qs.slice(1).forEach((q, i) => expect(q).toBeGreaterThan(qs[i]));
    ps.forEach((p, i) => expect(qs[i] + inverseNormalCdf(1 - p)).toBeCloseTo(0, 9));
  });

  test('edges and bad input', () => {
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
    expect(() => inverseNormalCdf(1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => inverseNormalCdf(NaN)).toThrow(RangeError);
  });

  test('linspace includes both ends', () => {
    const [a, b, c] = linspace(0.05, 0.95, 3);
    expect([a, c]).toEqual([0.05, 0.95]);
    expect(b).toBeCloseTo(0.5, 15);
    expect(linspace(0.05, 0.95, 1)).toEqual([0.05]);
  });
});
