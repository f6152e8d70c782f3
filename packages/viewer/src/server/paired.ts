/**
 * Paired comparison of two runs' per-image test metrics: on the same test images, the mean of the
 * per-image differences and its standard error, and the verdict a suite gate would give it
 * (@cvae/formats' verdicts, with the default margins δ and no measured noise: two runs' numbers are
 * unchanged only when they are equal). Pairing removes the image-to-image spread both runs share, so
 * a difference invisible next to two runs' own standard errors can be clear here.
 */
import { DEFAULT_MARGINS, METRIC_INFO, pairedDifference, verdictOf, type PerImageMetricName, type TestMetricsFile } from '@cvae/formats';
import type { PairedMetric } from '../shared/api-types';

/** test-metrics columns under the names suites and verdicts use. */
const SUITE_METRIC: Record<PerImageMetricName, string> = { elbo: 'elbo', kl: 'kl', mse: 'reconstructionMse' };

/** One column of two runs, paired: Δ ± SE, the unpaired SE for contrast, and the verdict against the default margin. */
export function pairedMetric(metric: PerImageMetricName, baseline: ArrayLike<number>, candidate: ArrayLike<number>): PairedMetric {
  const name = SUITE_METRIC[metric];
  const difference = pairedDifference(baseline, candidate);
  const margin = DEFAULT_MARGINS[name];
  const verdict = verdictOf(difference, { margin, noise: 0 }, METRIC_INFO[name].direction);
  return { metric, delta: difference.delta, standardError: difference.standardError, unpairedStandardError: difference.unpairedStandardError, margin, verdict };
}

export type PairedResult = { paired: true; metrics: PairedMetric[]; note: string | null } | { paired: false; reason: string };

/** Pairs two runs' test-metrics files, or says in one line why they cannot be paired. */
export function comparePerImage(baseline: TestMetricsFile, candidate: TestMetricsFile): PairedResult {
  const [a, b] = [baseline.header, candidate.header];
  if (a.images.sha256 !== b.images.sha256 || a.count !== b.count) {
    return { paired: false, reason: `evaluated on other test images (${b.count} images, ${b.images.dataDir ?? 'MNIST'} vs ${a.count}, ${a.images.dataDir ?? 'MNIST'})` };
  }
  if (a.eps.seed !== b.eps.seed || a.eps.label !== b.eps.label) return { paired: false, reason: `another eps stream (seed ${b.eps.seed} vs ${a.eps.seed})` };
  const metrics: PairedMetric[] = [];
  for (const name of a.columns) {
    const [base, cand] = [baseline.values[name], candidate.values[name]];
    if (base === undefined || cand === undefined) continue;
    metrics.push(pairedMetric(name, base, cand));
  }
  // The eps stream has latentDim normals per image, so other latent sizes draw other eps: still paired on images.
  const note = a.eps.latentDim === b.eps.latentDim ? null : `latent ${b.eps.latentDim} vs ${a.eps.latentDim}: other eps draws, paired on images only`;
  return { paired: true, metrics, note };
}
