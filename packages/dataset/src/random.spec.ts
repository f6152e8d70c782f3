import { deriveSeed, SeededRandom } from './random';

describe('SeededRandom', () => {
  it('is reproducible: pinned first draws of seed 1', () => {
    const rng = new SeededRandom(1);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toMatchInlineSnapshot(`
[
  2693262067,
  11749833,
  2265367787,
]
`);
  });

  it('draws uniforms in [0, 1) with mean near 1/2', () => {
    const rng = new SeededRandom(3);
    const draws = Array.from({ length: 20000 }, () => rng.uniform());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(Math.abs(draws.reduce((a, b) => a + b) / draws.length - 0.5)).toBeLessThan(0.01);
  });

  it('draws standard normals (mean 0, variance 1)', () => {
    const draws = new SeededRandom(5).normals(50000);
    const mean = draws.reduce((a, b) => a + b) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('rejects a non-integer seed', () => {
    expect(() => new SeededRandom(1.5)).toThrow(/seed must be an integer/);
  });

  it('derives different, stable seeds per label', () => {
    expect(deriveSeed(1, 'shuffle')).toBe(deriveSeed(1, 'shuffle'));
    expect(deriveSeed(1, 'shuffle')).not.toBe(deriveSeed(1, 'eps'));
    expect(deriveSeed(1, 'eps')).not.toBe(deriveSeed(2, 'eps'));
  });
});
