/**
 * The training guard: a short seeded training run (one epoch on 2,048 images, 64 steps) whose loss at
 * every step and whose end metrics on 500 test images are compared with a committed baseline
 * (packages/training/guard/baseline.json), with a tolerance measured across our compute paths.
 * Goldens and gates check a committed checkpoint; this checks the code that makes checkpoints: the
 * loss, the optimizer, the data order, the loop.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { z } from 'zod';
import { loadSplit } from '@cvae/dataset';
import { estimate, pairedDifference, parseJsonText, verdictOf } from '@cvae/formats';
import { writeJsonAtomic } from '@cvae/images';
import { loadCheckpoint } from '@cvae/model';
import { Replicas, perImageMetrics } from '@cvae/replicas';
import { train, TrainingPerturbation } from '../train';

export const GUARD_CONFIG = { epochs: 1, limit: 2048, batchSize: 32, testLimit: 500, seed: 3, latentDim: 2 } as const;
export const GUARD_BASELINE_FILE = path.resolve(__dirname, '..', '..', 'guard', 'baseline.json');
const METRICS = ['elbo', 'kl', 'mse', 'crossEntropy'] as const;
/** The measured noise is doubled, and never below float32 summation jitter. */
const NOISE_FACTOR = 2;
const MIN_NOISE = 1e-6;

export const GuardRunSchema = z.object({
  /** The loss of every step, in order. */
  losses: z.array(z.number()),
  /** Per test image, after the epoch: ELBO (seed-0 eps), KL, MSE, cross-entropy. */
  perImage: z.object({ elbo: z.array(z.number()), kl: z.array(z.number()), mse: z.array(z.number()), crossEntropy: z.array(z.number()) }),
});
export type GuardRun = z.infer<typeof GuardRunSchema>;

const GuardBaselineSchema = GuardRunSchema.extend({
  config: z.record(z.string(), z.unknown()),
  backend: z.string(),
  /** What every compute path differed by from this baseline; doubled, it is the tolerance. */
  noise: z.object({ paths: z.array(z.string()), maxStepDelta: z.number(), metrics: z.record(z.string(), z.number()) }),
  createdAt: z.string(),
});
export type GuardBaseline = z.infer<typeof GuardBaselineSchema>;

/** Trains the guard run on the backend this process has (`wasm` unless told) and measures it. */
export async function runGuard(backend: 'wasm' | 'cpu', perturbation?: TrainingPerturbation): Promise<GuardRun> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'cvae-guard-'));
  try {
    const losses: number[] = [];
    await train({ ...GUARD_CONFIG, backend }, { outDir, name: 'guard', workers: 1, perturbation, reporter: (e) => void (e.type === 'step' && losses.push(e.loss)) });
    const { model } = await loadCheckpoint(path.join(outDir, 'guard', 'checkpoints', 'last'));
    try {
      const images = loadSplit('test', { limit: GUARD_CONFIG.testLimit }).images;
      const perImage = await perImageMetrics(Replicas.create(model, { threads: 1 }), images, { seed: 0, batchSize: 100 });
      return { losses, perImage: Object.fromEntries(METRICS.map((m) => [m, Array.from(perImage[m])])) as GuardRun['perImage'] };
    } finally {
      model.dispose();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function readGuardBaseline(): GuardBaseline {
  return parseJsonText(GuardBaselineSchema, readFileSync(GUARD_BASELINE_FILE, 'utf8'), GUARD_BASELINE_FILE);
}

/** The baseline from `reference` (this path's run) and the noise of the other paths' runs against it. */
export async function writeGuardBaseline(reference: GuardRun, backend: string, others: { path: string; run: GuardRun }[]): Promise<GuardBaseline> {
  const stepDeltas = others.flatMap(({ run }) => run.losses.map((loss, i) => Math.abs(loss - reference.losses[i])));
  const metrics = Object.fromEntries(METRICS.map((m) => [m, Math.max(0, ...others.map(({ run }) => Math.abs(pairedDifference(reference.perImage[m], run.perImage[m]).delta)))]));
  const baseline: GuardBaseline = {
    ...reference,
    config: { ...GUARD_CONFIG, workers: 1 },
    backend,
    noise: { paths: others.map((o) => o.path), maxStepDelta: Math.max(0, ...stepDeltas), metrics },
    createdAt: new Date().toISOString(),
  };
  await writeJsonAtomic(GUARD_BASELINE_FILE, baseline);
  return baseline;
}

/** One line per quantity that moved beyond the measured noise (empty: the training code computes what it did). */
export function guardDeviations(baseline: GuardBaseline, run: GuardRun): string[] {
  const problems: string[] = [];
  if (run.losses.length !== baseline.losses.length) return [`the run took ${run.losses.length} steps, the baseline ${baseline.losses.length}`];
  const stepTolerance = Math.max(MIN_NOISE, NOISE_FACTOR * baseline.noise.maxStepDelta);
  const deltas = run.losses.map((loss, i) => Math.abs(loss - baseline.losses[i]));
  const worst = deltas.reduce((w, d, i) => (d > deltas[w] ? i : w), 0);
  const trajectory = pairedDifference(baseline.losses, run.losses);
  if (!(deltas[worst] <= stepTolerance)) {
    problems.push(`loss trajectory changed: step ${worst + 1} ${baseline.losses[worst].toFixed(4)} → ${run.losses[worst].toFixed(4)} (|Δ| ${deltas[worst].toExponential(2)} > tolerance ${stepTolerance.toExponential(2)}); mean Δ ${trajectory.delta.toFixed(4)} ± ${trajectory.standardError.toFixed(4)} paired over ${trajectory.images} steps`);
  }
  for (const metric of METRICS) {
    const difference = pairedDifference(baseline.perImage[metric], run.perImage[metric]);
    const noise = Math.max(MIN_NOISE, NOISE_FACTOR * (baseline.noise.metrics[metric] ?? 0));
    const verdict = verdictOf(difference, { margin: 0, noise }, metric === 'elbo' ? 'higher' : metric === 'kl' ? 'none' : 'lower');
    if (verdict !== 'unchanged') {
      problems.push(`end ${metric} ${estimate(baseline.perImage[metric]).mean.toFixed(4)} → ${estimate(run.perImage[metric]).mean.toFixed(4)} (Δ ${difference.delta.toExponential(2)} ± ${difference.standardError.toExponential(1)} paired over ${difference.images} images): ${verdict}, beyond noise ${noise.toExponential(2)}`);
    }
  }
  return problems;
}
