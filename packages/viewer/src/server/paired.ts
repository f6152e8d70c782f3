/**
 * Paired comparison of two runs' per-image test metrics: on the same test images, the mean of the
 * per-image differences and its standard error. Pairing removes the image-to-image spread both runs
 * share, so a difference that is invisible next to two runs' own standard errors can be clear here.
 * Kept apart and pure: @cvae/evaluation's verdicts may replace it.
 */
import type { Estimate, PerImageMetricName, TestMetricsFile } from '@cvae/formats';
import type { PairedMetric, PairedVerdict } from '../shared/api-types';

/** |Δ| within this many standard errors counts as no change (≈ 95% two-sided). */
export const SIGNIFICANT_STANDARD_ERRORS = 2;

/** Which way is better: ELBO up, MSE down; KL is neither (more KL can mean a more used latent space). */
const DIRECTION: Record<PerImageMetricName, 1 | -1 | 0> = { elbo: 1, mse: -1, kl: 0 };

/** Mean and standard error of candidate − baseline, image by image. */
export function pairedDifference(baseline: ArrayLike<number>, candidate: ArrayLike<number>): Estimate {
  const n = baseline.length;
  if (n !== candidate.length) throw new RangeError(`paired difference: ${n} baseline values but ${candidate.length} candidate values`);
  if (n < 2) throw new RangeError(`paired difference: need at least 2 pairs, got ${n}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += candidate[i] - baseline[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (candidate[i] - baseline[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}

export function pairedVerdict(metric: PerImageMetricName, difference: Estimate): PairedVerdict {
  if (Math.abs(difference.mean) <= SIGNIFICANT_STANDARD_ERRORS * difference.standardError) return 'no significant change';
  const sign = Math.sign(difference.mean) * DIRECTION[metric];
  if (DIRECTION[metric] === 0) return difference.mean > 0 ? 'higher' : 'lower';
  return sign > 0 ? 'better' : 'worse';
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
    const difference = pairedDifference(base, cand);
    metrics.push({ metric: name, delta: difference.mean, standardError: difference.standardError, verdict: pairedVerdict(name, difference) });
  }
  // The eps stream has latentDim normals per image, so other latent sizes draw other eps: still paired on images.
  const note = a.eps.latentDim === b.eps.latentDim ? null : `latent ${b.eps.latentDim} vs ${a.eps.latentDim}: other eps draws, paired on images only`;
  return { paired: true, metrics, note };
}
