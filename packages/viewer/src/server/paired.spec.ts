import type { TestMetricsFile } from '@cvae/formats';
import { comparePerImage, pairedMetric } from './paired';

function metricsFile(values: { elbo: number[]; kl: number[]; mse: number[] }, patch: { sha?: string; latentDim?: number; seed?: number } = {}): TestMetricsFile {
  const count = values.elbo.length;
  return {
    header: {
      formatVersion: 1, epoch: 3, step: 30, count, columns: ['elbo', 'kl', 'mse'],
      data: { file: 'test-metrics.bin', encoding: 'float32-le-rows', sha256: 'a'.repeat(64) },
      images: { split: 'test', count, dataDir: null, sha256: patch.sha ?? 'b'.repeat(64) },
      eps: { seed: patch.seed ?? 0, label: 'elbo-eps', latentDim: patch.latentDim ?? 2 },
      createdAt: '2026-01-01T00:00:00Z',
    },
    values: { elbo: Float32Array.from(values.elbo), kl: Float32Array.from(values.kl), mse: Float32Array.from(values.mse) },
  };
}

describe('paired comparison of two runs', () => {
  it('pairing sees a shift far smaller than the image-to-image spread', () => {
    // Images differ by hundreds of nats; the candidate is better by 1 ± 0.05 on every image.
    const base = Array.from({ length: 100 }, (_, i) => -100 - 3 * i);
    const candidate = base.map((v, i) => v + 1 + (i % 2 === 0 ? 0.05 : -0.05));
    const m = pairedMetric('elbo', base, candidate);
    expect(m.delta).toBeCloseTo(1, 9);
    expect(m.standardError).toBeLessThan(0.01);
    expect(m.unpairedStandardError).toBeGreaterThan(10);
    expect(m).toMatchObject({ margin: 0.5, verdict: 'better' });
  });

  it('judges each column like the suite gate of the same metric: margin δ, 3 SE, direction', () => {
    const shifted = (values: number[], by: number) => values.map((v, i) => v + by + (i % 2 ? 0.001 : -0.001));
    const elbo = [-100, -120, -90, -110];
    expect(pairedMetric('elbo', elbo, elbo).verdict).toBe('unchanged');
    expect(pairedMetric('elbo', elbo, shifted(elbo, -0.3)).verdict).toBe('changed within margin');
    expect(pairedMetric('elbo', elbo, shifted(elbo, -0.8)).verdict).toBe('worse');
    const mse = [0.02, 0.04, 0.03, 0.05];
    // The mse column is the suites' reconstructionMse: margin 0.0005, lower is better.
    expect(pairedMetric('mse', mse, shifted(mse, -0.01))).toMatchObject({ margin: 0.0005, verdict: 'better' });
    expect(pairedMetric('mse', mse, shifted(mse, 0.0002)).verdict).toBe('changed within margin');
    const kl = [3, 4, 5, 6];
    // KL has no better direction: beyond its margin it is only "changed".
    expect(pairedMetric('kl', kl, shifted(kl, 2)).verdict).toBe('changed');
    expect(pairedMetric('kl', kl, shifted(kl, -2)).verdict).toBe('changed');
  });

  it('comparePerImage pairs runs on the same images, and says why it will not pair others', () => {
    const base = metricsFile({ elbo: [-100, -120, -90], kl: [3, 4, 5], mse: [0.1, 0.2, 0.3] });
    const candidate = metricsFile({ elbo: [-99, -118, -88], kl: [3, 4, 5], mse: [0.1, 0.2, 0.3] }, { latentDim: 8 });
    const result = comparePerImage(base, candidate);
    if (!result.paired) throw new Error(result.reason);
    // ELBO Δ +5/3 ± 1/3 (differences 1, 2, 2): 5/3 − 3·1/3 = 0.67 beyond the 0.5 margin.
    expect(result.metrics.map((m) => [m.metric, m.verdict])).toEqual([['elbo', 'better'], ['kl', 'unchanged'], ['mse', 'unchanged']]);
    expect(result.metrics[0].delta).toBeCloseTo(5 / 3, 5);
    expect(result.note).toBe('latent 8 vs 2: other eps draws, paired on images only');
    expect(comparePerImage(base, metricsFile({ elbo: [1, 2, 3], kl: [1, 2, 3], mse: [1, 2, 3] }, { sha: 'c'.repeat(64) }))).toEqual({ paired: false, reason: 'evaluated on other test images (3 images, MNIST vs 3, MNIST)' });
    expect(comparePerImage(base, metricsFile({ elbo: [1, 2, 3], kl: [1, 2, 3], mse: [1, 2, 3] }, { seed: 4 }))).toEqual({ paired: false, reason: 'another eps stream (seed 4 vs 0)' });
  });
});
