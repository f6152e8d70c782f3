import type { TestMetricsFile } from '@cvae/formats';
import { comparePerImage, pairedDifference, pairedVerdict } from './paired';

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

describe('paired comparison', () => {
  it('pairedDifference: mean and standard error of the per-image differences', () => {
    // Differences 1, 2, 3, 6: mean 3, sample sd √(14/3), SE √(14/3)/2.
    const estimate = pairedDifference([10, 20, 30, 40], [11, 22, 33, 46]);
    expect(estimate.mean).toBeCloseTo(3, 12);
    expect(estimate.standardError).toBeCloseTo(Math.sqrt(14 / 3) / 2, 12);
    expect(() => pairedDifference([1, 2], [1])).toThrow('paired difference: 2 baseline values but 1 candidate values');
    expect(() => pairedDifference([1], [1])).toThrow('need at least 2 pairs, got 1');
  });

  it('pairing sees a shift far smaller than the image-to-image spread', () => {
    // Images differ by hundreds of nats; the candidate is better by 0.5 ± 0.05 on every image.
    const base = Array.from({ length: 100 }, (_, i) => -100 - 3 * i);
    const candidate = base.map((v, i) => v + 0.5 + (i % 2 === 0 ? 0.05 : -0.05));
    const difference = pairedDifference(base, candidate);
    expect(difference.standardError).toBeLessThan(0.01);
    expect(pairedVerdict('elbo', difference)).toBe('better');
  });

  it('verdicts: within 2 SE is no change; ELBO up and MSE down are better; KL only goes higher or lower', () => {
    expect(pairedVerdict('elbo', { mean: 1, standardError: 0.6 })).toBe('no significant change');
    expect(pairedVerdict('elbo', { mean: -1, standardError: 0.1 })).toBe('worse');
    expect(pairedVerdict('mse', { mean: -0.01, standardError: 0.001 })).toBe('better');
    expect(pairedVerdict('mse', { mean: 0.01, standardError: 0.001 })).toBe('worse');
    expect(pairedVerdict('kl', { mean: 2, standardError: 0.1 })).toBe('higher');
    expect(pairedVerdict('kl', { mean: -2, standardError: 0.1 })).toBe('lower');
  });

  it('comparePerImage pairs runs on the same images, and says why it will not pair others', () => {
    const base = metricsFile({ elbo: [-100, -120, -90], kl: [3, 4, 5], mse: [0.1, 0.2, 0.3] });
    const candidate = metricsFile({ elbo: [-99, -118, -88], kl: [3, 4, 5], mse: [0.1, 0.2, 0.3] }, { latentDim: 8 });
    const result = comparePerImage(base, candidate);
    if (!result.paired) throw new Error(result.reason);
    expect(result.metrics.map((m) => [m.metric, m.verdict])).toEqual([['elbo', 'better'], ['kl', 'no significant change'], ['mse', 'no significant change']]);
    expect(result.metrics[0].delta).toBeCloseTo(5 / 3, 5);
    expect(result.note).toBe('latent 8 vs 2: other eps draws, paired on images only');
    expect(comparePerImage(base, metricsFile({ elbo: [1, 2, 3], kl: [1, 2, 3], mse: [1, 2, 3] }, { sha: 'c'.repeat(64) }))).toEqual({ paired: false, reason: 'evaluated on other test images (3 images, MNIST vs 3, MNIST)' });
    expect(comparePerImage(base, metricsFile({ elbo: [1, 2, 3], kl: [1, 2, 3], mse: [1, 2, 3] }, { seed: 4 }))).toEqual({ paired: false, reason: 'another eps stream (seed 4 vs 0)' });
  });
});
