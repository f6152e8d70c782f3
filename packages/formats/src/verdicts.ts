/**
 * Verdicts that tell change from regression. A candidate model is measured on the same images with
 * the same eps as the baseline, so each image gives a paired difference d_i = candidate_i − baseline_i;
 * their mean Δ has a standard error sd(d)/√n that is far smaller than the unpaired one for small
 * changes, because the image-to-image spread cancels. Pure functions: numbers in, verdict out.
 *
 *   unchanged              |Δ| ≤ noise (what our compute paths differ by on the same checkpoint)
 *   worse / better         the change in that direction exceeds the margin δ significantly:
 *                          |Δ| − z·SE > δ (one-sided, z = 3 by default)
 *   changed within margin  anything else: the model changed, but not measurably beyond δ
 *
 * A metric with no better direction (KL) is never better or worse: only unchanged or changed.
 * Per-class gates run the same test on each class's images alone (gateResultWithClasses).
 */
import { Estimate, estimate } from './common';
import type { ClassGateResult, GateResult, PerClassGateResult, Verdict } from './report';
import type { MetricGate, PerClassGate } from './suite';

export type Direction = GateResult['direction'];

export interface MetricInfo {
  label: string;
  unit: string;
  direction: Direction;
  /** Decimals to print means and differences with. */
  digits: number;
}

export const METRIC_INFO: Record<string, MetricInfo> = {
  elbo: { label: 'ELBO', unit: 'nats/image', direction: 'higher', digits: 2 },
  iwae: { label: 'IWAE log p(x)', unit: 'nats/image', direction: 'higher', digits: 2 },
  kl: { label: 'KL', unit: 'nats/image', direction: 'none', digits: 3 },
  reconstructionMse: { label: 'reconstruction MSE', unit: 'per pixel', direction: 'lower', digits: 5 },
  reconstructionCrossEntropy: { label: 'reconstruction cross-entropy', unit: 'nats/image', direction: 'lower', digits: 2 },
};

/**
 * The practical margins δ (metric units) `cvae golden init` proposes and the viewer's run comparison
 * uses: what a person would call a real change. A suite's own margins are in its suite.json.
 */
export const DEFAULT_MARGINS: Record<string, number> = { elbo: 0.5, iwae: 0.5, reconstructionCrossEntropy: 0.5, reconstructionMse: 0.0005, kl: 0.05 };

/**
 * What `cvae golden init` multiplies a metric's margin by for its per-class gates: a class's Δ averages
 * a tenth of the images and moves more between equally good models than the mean does (the mean averages
 * the classes' moves), while a forgotten class moves by many margins (packages/evaluation/README.md).
 */
export const DEFAULT_CLASS_MARGIN_FACTOR = 2;

export interface PairedDifference {
  baseline: Estimate;
  candidate: Estimate;
  delta: number;
  standardError: number;
  unpairedStandardError: number;
  images: number;
}

/** Δ = mean(candidate − baseline) over paired values, its standard error, and both sides' estimates. */
export function pairedDifference(baseline: ArrayLike<number>, candidate: ArrayLike<number>): PairedDifference {
  if (baseline.length !== candidate.length) throw new RangeError(`paired values need the same images: ${baseline.length} baseline vs ${candidate.length} candidate`);
  if (baseline.length < 2) throw new RangeError('a paired comparison needs at least 2 images');
  const n = baseline.length;
  const differences = Float64Array.from({ length: n }, (_, i) => candidate[i] - baseline[i]);
  const d = estimate(differences);
  const b = estimate(baseline);
  const c = estimate(candidate);
  return { baseline: b, candidate: c, delta: d.mean, standardError: d.standardError, unpairedStandardError: Math.hypot(b.standardError, c.standardError), images: n };
}

/** The verdict of a paired difference against the gate's noise and margin. */
export function verdictOf(difference: Pick<PairedDifference, 'delta' | 'standardError'>, gate: Pick<MetricGate, 'margin' | 'noise'>, direction: Direction, z = 3): Verdict {
  const { delta, standardError } = difference;
  if (!Number.isFinite(delta)) return direction === 'none' ? 'changed within margin' : 'worse';
  if (Math.abs(delta) <= gate.noise) return 'unchanged';
  if (Math.abs(delta) - z * standardError <= gate.margin) return 'changed within margin';
  if (direction === 'none') return 'changed';
  const improved = direction === 'higher' ? delta > 0 : delta < 0;
  return improved ? 'better' : 'worse';
}

/** The whole gate: verdict, floor, pass/fail and the one-line message with the numbers. */
export function gateResult(metric: string, difference: PairedDifference, gate: MetricGate, z = 3): GateResult {
  const info = METRIC_INFO[metric] ?? { label: metric, unit: '', direction: 'none', digits: 4 };
  const verdict = verdictOf(difference, gate, info.direction, z);
  const floorViolation = violatedFloor(difference.candidate.mean, gate.floor, info);
  const passed = verdict !== 'worse' && floorViolation === undefined;
  const message = describeGate(info, difference, verdict, gate, floorViolation);
  return {
    metric,
    label: info.label,
    unit: info.unit,
    direction: info.direction,
    baseline: difference.baseline,
    candidate: difference.candidate,
    paired: { delta: difference.delta, standardError: difference.standardError, images: difference.images },
    unpairedStandardError: difference.unpairedStandardError,
    verdict,
    margin: gate.margin,
    noise: gate.noise,
    ...(gate.floor === undefined ? {} : { floor: gate.floor }),
    ...(floorViolation === undefined ? {} : { floorViolation }),
    passed,
    message,
  };
}

/** The gate images' classes: one label per image (paired by index) and each label's name. */
export interface GateClasses {
  labels: ArrayLike<number>;
  names: readonly string[];
}

/**
 * The gate over all images plus, when the suite asks, the same test per class: `passed` also needs every
 * class to pass, `verdict` stays the verdict over all images. Classes with fewer than 2 gate images are
 * not gated (no standard error).
 */
export function gateResultWithClasses(metric: string, baseline: ArrayLike<number>, candidate: ArrayLike<number>, gate: MetricGate, z = 3, classes?: GateClasses): GateResult {
  const overall = gateResult(metric, pairedDifference(baseline, candidate), gate, z);
  if (gate.perClass === undefined || classes === undefined) return overall;
  const perClass = perClassGates(metric, baseline, candidate, gate, gate.perClass, z, classes);
  if (perClass.passed) return { ...overall, perClass };
  const failing = perClass.classes.filter((c) => !c.passed).map((c) => c.name);
  return { ...overall, passed: false, perClass, message: `${overall.message}; PER CLASS: ${failing.join(', ')} failing` };
}

/** Each class's paired difference over its own gate images, its verdict and floor, and the worst class. */
export function perClassGates(metric: string, baseline: ArrayLike<number>, candidate: ArrayLike<number>, gate: MetricGate, settings: PerClassGate, z: number, classes: GateClasses): PerClassGateResult {
  if (classes.labels.length !== baseline.length) throw new RangeError(`per-class gates need a label per gate image: ${classes.labels.length} labels, ${baseline.length} images`);
  const info = infoOf(metric);
  const margin = settings.margin ?? gate.margin;
  const results: ClassGateResult[] = [];
  for (const [label, indices] of indicesByLabel(classes.labels)) {
    if (indices.length < 2) continue;
    const name = classes.names[label] ?? String(label);
    const difference = pairedDifference(indices.map((i) => baseline[i]), indices.map((i) => candidate[i]));
    const floor = settings.floors?.[name] ?? settings.floor;
    const verdict = verdictOf(difference, { margin, noise: gate.noise }, info.direction, z);
    const floorViolation = violatedFloor(difference.candidate.mean, floor, info);
    const passed = verdict !== 'worse' && floorViolation === undefined;
    const message = `class ${name}: ${describeGate(info, difference, verdict, { margin, noise: gate.noise }, floorViolation)}`;
    const paired = { delta: difference.delta, standardError: difference.standardError, images: difference.images };
    results.push({ label, name, baseline: difference.baseline, candidate: difference.candidate, paired, verdict, margin, ...(floor === undefined ? {} : { floor }), ...(floorViolation === undefined ? {} : { floorViolation }), passed, worst: false, message });
  }
  const worst = worstClass(results, info.direction);
  if (worst !== undefined) worst.worst = true;
  const passed = results.every((c) => c.passed);
  return { margin, passed, summary: classSummary(info, results, margin, worst), classes: results };
}

function indicesByLabel(labels: ArrayLike<number>): Map<number, number[]> {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const indices = byLabel.get(labels[i]);
    if (indices === undefined) byLabel.set(labels[i], [i]);
    else indices.push(i);
  }
  return new Map([...byLabel.entries()].sort(([a], [b]) => a - b));
}

/** A failing class first; among equals, the most adverse Δ (for a metric with no direction: the largest |Δ|). */
function worstClass(results: ClassGateResult[], direction: Direction): ClassGateResult | undefined {
  const adverse = (c: ClassGateResult) => (direction === 'higher' ? -c.paired.delta : direction === 'lower' ? c.paired.delta : Math.abs(c.paired.delta));
  return [...results].sort((a, b) => Number(a.passed) - Number(b.passed) || adverse(b) - adverse(a))[0];
}

function classSummary(info: MetricInfo, results: ClassGateResult[], margin: number, worst: ClassGateResult | undefined): string {
  const head = `${info.label} per class (${results.length} classes, margin ${formatNumber(margin, info.digits)})`;
  const failing = results.filter((c) => !c.passed);
  if (failing.length > 0) return `${head}: ${failing.length} failing (${failing.map((c) => c.name).join(', ')})`;
  if (worst === undefined) return `${head}: no class has 2 gate images`;
  return `${head}: all pass; worst ${worst.name}: Δ ${signed(worst.paired.delta, precisionOf(info, worst.paired.standardError))} ± ${formatNumber(worst.paired.standardError, precisionOf(info, worst.paired.standardError))}, ${worst.verdict}`;
}

function infoOf(metric: string): MetricInfo {
  return METRIC_INFO[metric] ?? { label: metric, unit: '', direction: 'none', digits: 4 };
}

/** Small differences get the decimals their standard error needs (its first significant digit), not 0.00 ± 0.00. */
function precisionOf(info: MetricInfo, standardError: number): number {
  return Math.min(8, Math.max(info.digits, standardError > 0 ? Math.ceil(-Math.log10(standardError)) : info.digits));
}

function violatedFloor(mean: number, floor: MetricGate['floor'], info: MetricInfo): string | undefined {
  const fmt = (v: number) => formatNumber(v, info.digits);
  if (!Number.isFinite(mean)) return `${info.label} is ${mean}`;
  if (floor?.min !== undefined && mean < floor.min) return `${info.label} ${fmt(mean)} is below the floor ${fmt(floor.min)}`;
  if (floor?.max !== undefined && mean > floor.max) return `${info.label} ${fmt(mean)} is above the floor ${fmt(floor.max)}`;
  return undefined;
}

function describeGate(info: MetricInfo, d: PairedDifference, verdict: Verdict, gate: MetricGate, floorViolation: string | undefined): string {
  const fmt = (v: number) => formatNumber(v, info.digits);
  // Small differences get the decimals their standard error needs (its first significant digit), not 0.00 ± 0.00.
  const precise = Math.min(8, Math.max(info.digits, d.standardError > 0 ? Math.ceil(-Math.log10(d.standardError)) : info.digits));
  const numbers = `${info.label} ${fmt(d.baseline.mean)} → ${fmt(d.candidate.mean)} (Δ ${signed(d.delta, precise)} ± ${formatNumber(d.standardError, precise)} paired over ${d.images.toLocaleString('en-US')} images)`;
  const why =
    verdict === 'unchanged' ? `unchanged (within noise ${fmt(gate.noise)})`
    : verdict === 'changed within margin' ? `changed within margin ${fmt(gate.margin)}`
    : verdict === 'changed' ? `changed beyond margin ${fmt(gate.margin)} (${info.label} has no better direction: reported, not failed)`
    : `${verdict} than margin ${fmt(gate.margin)}`;
  return `${numbers}: ${why}${floorViolation === undefined ? '' : `; FLOOR: ${floorViolation}`}`;
}

/** Minus sign as people write it (−), fixed decimals. */
export function formatNumber(value: number, digits: number): string {
  return value.toFixed(digits).replace(/^-/, '−');
}

function signed(value: number, digits: number): string {
  return value < 0 ? formatNumber(value, digits) : `+${value.toFixed(digits)}`;
}
