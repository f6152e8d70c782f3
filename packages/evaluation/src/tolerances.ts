/**
 * Tolerances from evidence: suite.json's per-image pixel tolerance and per-metric noise level are
 * derived from what every compute path measured on the unchanged checkpoint (noise.json), plus a
 * stated margin — not picked by taste.
 *
 * Pixels: pixelmatch counts a gray pixel as different when |Δ| > ≈264·threshold. With m the largest
 * Δ any path showed on an image, the threshold is set to count only |Δ| > m + MARGIN_GRAY_LEVELS, and
 * no such pixel is allowed: every path passes, and a change of more than m + 1 gray levels anywhere fails.
 * Metrics: "unchanged" means |Δ mean| ≤ NOISE_FACTOR × the largest |Δ mean| any path showed.
 */
import type { GoldenThresholds, NoiseEvidence } from '@cvae/formats';

/** Gray levels added to the largest measured difference before a pixel counts as changed. */
export const MARGIN_GRAY_LEVELS = 1;
/** pixelmatch's threshold per gray level for gray pixels: |Δgray| > YIQ_LEVELS_PER_THRESHOLD · threshold. */
const YIQ_LEVELS_PER_THRESHOLD = Math.sqrt(35215 / 0.5053);
export const NOISE_FACTOR = 2;
/** Below this, float32 summation order alone could move a mean: the smallest noise level we set. */
const MIN_NOISE = 1e-6;

export function pixelTolerance(evidence: NoiseEvidence['paths'], name: string): GoldenThresholds & { derivedFrom: string } {
  const deltas = evidence.map((p) => p.goldens[name]?.maxDelta).filter((d): d is number => d !== undefined);
  const worst = deltas.length === 0 ? 0 : Math.max(...deltas);
  // Halfway between the allowed level and the next, so float rounding in pixelmatch cannot flip it.
  const threshold = round6((worst + MARGIN_GRAY_LEVELS + 0.5) / YIQ_LEVELS_PER_THRESHOLD);
  return { threshold, maxDiffPixels: 0, derivedFrom: `max Δ ${worst} gray levels over ${deltas.length} compute paths + ${MARGIN_GRAY_LEVELS}` };
}

export function metricNoise(evidence: NoiseEvidence['paths'], metric: string): number {
  const deltas = evidence.map((p) => p.metrics?.[metric]).filter((d): d is number => d !== undefined);
  return Math.max(MIN_NOISE, NOISE_FACTOR * (deltas.length === 0 ? 0 : Math.max(...deltas)));
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
