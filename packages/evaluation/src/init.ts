/**
 * `cvae golden init`: a new suite from a checkpoint — goldens rendered, the baseline's per-image
 * metrics measured, the noise of every compute path measured and the tolerances derived from it, and
 * floors proposed for a person to review. The suite is built in a temp directory and renamed into
 * place at the end, so an interrupted init leaves no half suite; an existing suite is never touched.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { BASELINE_FILE, DEFAULT_CLASS_MARGIN_FACTOR, DEFAULT_MARGINS, GateClasses, PerClassGate, formatNumber, METRIC_INFO, BaselineSchema, ImageSetSpec, MetricGate, NOISE_FILE, NoiseEvidence, SUITE_FILE, SUITE_FORMAT_VERSION, Suite, SuiteSchema, parseFormat, readJsonFile, workspaceRelative } from '@cvae/formats';
import { pathExists, writeJsonAtomic } from '@cvae/images';
import type { CVAE } from '@cvae/model';
import { gatedMetrics, measureGateImages, writeBaseline } from './baseline';
import { classesOfImages } from './gates';
import { renderGoldens } from './golden-render';
import { writeGolden } from './golden-store';
import { withGoldensLock } from './golden-writes';
import { EvaluationSource, recordedDataset, testSetOf, withLoadedModel } from './load';
import type { EvalProgress, PerImageValues } from './metrics';
import { measureNoise } from './noise';
import { proposeQualityGate } from './quality-gate';
import { DEFAULT_QUALITY_SAMPLES } from './sample-quality';
import { metricNoise, pixelTolerance } from './tolerances';
import { readSuite, suiteCheckpointDir } from './suite';

/** A suite that already exists is never overwritten: `cvae golden init` exits 2. */
export class SuiteExistsError extends Error {
  override name = 'SuiteExistsError';
}

export interface InitSuiteOptions {
  suiteDir: string;
  checkpoint: string;
  /** Default: the checkpoint's own dataset. */
  dataDir?: string;
  backend?: string;
  workers?: number;
  /** Gate images: the first N of the test set (default: all). */
  gateImages?: number;
  seed?: number;
  /** Also gate the IWAE bound with this many samples (slow: k decodes per image). */
  iwSamples?: number;
  /** Default: prior (seed 42, 8×8), recon (first 10) and, for a 2-D latent, the manifold (20×20). */
  images?: Record<string, ImageSetSpec>;
  /** Prior samples of the quality gate (default 10,000; 0: no quality gate). Only when a classifier of the suite's dataset exists. */
  qualitySamples?: number;
  /** Measure every compute path (default true; off, tolerances assume only this path's exactness). */
  measureNoise?: boolean;
  description?: string;
  onProgress?: (line: string) => void;
  onEvalProgress?: (progress: EvalProgress) => void;
}


export async function initSuite(options: InitSuiteOptions): Promise<Suite> {
  const target = path.resolve(options.suiteDir);
  if (await pathExists(target)) throw new SuiteExistsError(`${target} already exists: a suite is created once (change it by editing suite.json, or check it with cvae check --suite ${options.suiteDir})`);
  const staging = `${target}.init-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    const suite = await withLoadedModel(options, (model, source) => buildSuite(model, source, staging, options));
    await fs.rename(staging, target);
    return suite;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function buildSuite(model: Parameters<typeof renderGoldens>[0], source: EvaluationSource, dir: string, options: InitSuiteOptions): Promise<Suite> {
  const say = options.onProgress ?? (() => undefined);
  const draft = draftSuite(model, source, options);
  await writeJsonAtomic(path.join(dir, SUITE_FILE), draft);
  say(`rendering ${Object.keys(draft.images).length} goldens`);
  const perImage = await withGoldensLock(dir, 'cvae golden init', async () => {
    for (const { name, png, image, provenance } of renderGoldens(model, source, draft)) await writeGolden(dir, name, png, image, provenance, 'update');
    say(`measuring the baseline on ${draft.gates.images} test images`);
    const values = await measureGateImages(model, source, draft, { workers: options.workers, onProgress: options.onEvalProgress });
    await writeBaseline(dir, draft, source, values);
    return values;
  });
  const evidence = options.measureNoise === false ? [] : await measureNoise({
    suiteDir: dir,
    checkpoint: options.checkpoint,
    dataDir: options.dataDir,
    metrics: true,
    workers: options.workers,
    onPath: (p, i, total) => say(`measuring compute path ${i + 1}/${total}: ${p.name}`),
  });
  const noise: NoiseEvidence = { formatVersion: 1, checkpoint: source.checkpoint, measuredAt: new Date().toISOString(), paths: evidence };
  await writeJsonAtomic(path.join(dir, NOISE_FILE), noise);
  const qualitySamples = options.qualitySamples ?? DEFAULT_QUALITY_SAMPLES;
  const quality = qualitySamples > 0 ? await proposeQualityGate(model, source, draft.gates.images, { samples: qualitySamples, seed: draft.gates.seed, workers: options.workers, announce: say }) : null;
  // Through the schema before it is written: init must never leave a suite that check cannot read.
  const classes = classesOfImages(testSetOf(source, model, draft.gates.images), draft.gates.images);
  const suite = parseFormat(SuiteSchema, finalSuite(quality === null ? draft : { ...draft, quality }, evidence, perImage, classes), path.join(dir, SUITE_FILE));
  await writeJsonAtomic(path.join(dir, SUITE_FILE), suite);
  return suite;
}

function defaultImages(latentDim: number): Record<string, ImageSetSpec> {
  return {
    prior: { kind: 'prior', seed: 42, grid: 8 },
    recon: { kind: 'recon', seed: 0, grid: 10 },
    ...(latentDim === 2 ? { manifold: { kind: 'manifold', seed: 0, grid: 20 } as ImageSetSpec } : {}),
  };
}

/** The suite before the noise is known: tolerances and noise levels are placeholders until finalSuite. */
function draftSuite(model: CVAE, source: EvaluationSource, options: InitSuiteOptions): Suite {
  const images = options.images ?? defaultImages(model.latentDim);
  const gate = (metric: string): MetricGate => ({ margin: DEFAULT_MARGINS[metric], noise: 0 });
  const testImages = testSetOf(source, model).count;
  return {
    formatVersion: SUITE_FORMAT_VERSION,
    ...(options.description === undefined ? {} : { description: options.description }),
    checkpoint: { ...source.checkpoint, path: workspaceRelative(options.checkpoint) },
    dataset: recordedDataset(source),
    images: Object.fromEntries(Object.entries(images).map(([name, spec]) => [name, { ...spec, tolerance: { threshold: 0, maxDiffPixels: 0 } }])),
    gates: {
      images: Math.min(options.gateImages ?? testImages, testImages),
      seed: options.seed ?? 0,
      ...(options.iwSamples ? { iwSamples: options.iwSamples } : {}),
      z: 3,
      metrics: {
        elbo: gate('elbo'),
        kl: gate('kl'),
        reconstructionMse: gate('reconstructionMse'),
        reconstructionCrossEntropy: gate('reconstructionCrossEntropy'),
        ...(options.iwSamples ? { iwae: gate('iwae') } : {}),
      },
    },
  };
}

/** Tolerances and noise from the evidence; floors proposed from the baseline, for a person to review and set. */
function finalSuite(draft: Suite, evidence: NoiseEvidence['paths'], perImage: PerImageValues, classes: GateClasses | undefined): Suite {
  const images = Object.fromEntries(Object.entries(draft.images).map(([name, image]) => [name, { ...image, tolerance: pixelTolerance(evidence, name) }]));
  const metrics = { ...draft.gates.metrics };
  for (const metric of gatedMetrics(draft)) {
    const mean = average(perImage[metric] as Float32Array);
    const perClass = classes === undefined ? {} : { perClass: proposedPerClass(metric, perImage[metric] as Float32Array, classes) };
    metrics[metric] = { ...(metrics[metric] as MetricGate), noise: metricNoise(evidence, metric), floor: proposedFloor(metric, mean), ...perClass };
  }
  return {
    ...draft,
    images,
    gates: { ...draft.gates, metrics },
    notes: [
      `Made by cvae golden init on ${new Date().toISOString().slice(0, 10)} from ${draft.checkpoint.path}. Pixel tolerances and metric noise are derived from noise.json (every compute path on this checkpoint): see packages/evaluation/README.md.`,
      `The floors were PROPOSED by init (ELBO, IWAE and cross-entropy 3% or 5 nats worse than the baseline, MSE 5% worse, KL 20% lower): review them and set them by hand; no command rewrites them.`,
      ...(classes === undefined ? [] : [perClassNote()]),
      ...(draft.quality ? ['The sample-quality bounds were PROPOSED by init too (FID × 1.4, every class ≥ 0.5% of the samples or half the share of a class already below it, entropy − 0.15 nats, confidence − 0.08): review them.'] : []),
    ],
  };
}

function proposedFloor(metric: string, mean: number): MetricGate['floor'] {
  const info = METRIC_INFO[metric];
  const round = (v: number) => Number(formatNumber(v, info.digits).replace('−', '-'));
  const slack = Math.max(5, 0.03 * Math.abs(mean));
  if (metric === 'elbo' || metric === 'iwae') return { min: round(mean - slack) };
  if (metric === 'reconstructionCrossEntropy') return { max: round(mean + slack) };
  if (metric === 'reconstructionMse') return { max: round(mean * 1.05) };
  return { min: round(mean * 0.8) };
}

/** Per-class gates: the default margin × DEFAULT_CLASS_MARGIN_FACTOR, and a floor per class proposed from its baseline mean. */
function proposedPerClass(metric: string, values: Float32Array, classes: GateClasses): PerClassGate {
  const floors: Record<string, NonNullable<MetricGate['floor']>> = {};
  classes.names.forEach((name, label) => {
    const mine = values.filter((_, i) => classes.labels[i] === label);
    const floor = mine.length === 0 ? undefined : proposedFloor(metric, average(mine));
    if (floor !== undefined) floors[name] = floor;
  });
  return { margin: DEFAULT_MARGINS[metric] * DEFAULT_CLASS_MARGIN_FACTOR, floors };
}

/** The note about per-class gates, from the constants it explains. */
function perClassNote(): string {
  const margins = ['elbo', 'reconstructionMse'].map((m) => `${METRIC_INFO[m].label} ${DEFAULT_MARGINS[m] * DEFAULT_CLASS_MARGIN_FACTOR}`).join(', ');
  return `Per-class gates (perClass) were PROPOSED by init: each class's gate images are paired on their own, because a model that forgets one class keeps most of its mean. Their margins are ${DEFAULT_CLASS_MARGIN_FACTOR} × the metric's (${margins}): a class's Δ averages fewer images and moves more between equally good models than the mean does. Their floors are proposed per class by the rule above from each class's baseline mean: review them.`;
}

function average(values: Float32Array): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export interface NoiseMeasurement {
  evidence: NoiseEvidence;
  /** Tolerances and noise levels derived from it, where they differ from suite.json's (for a person to apply). */
  proposals: string[];
}

/**
 * `cvae golden noise`: re-measures every compute path against a suite's goldens and baseline and
 * writes noise.json; what it would derive is proposed, not written — suite.json belongs to people.
 */
export async function remeasureNoise(options: { suiteDir: string; checkpoint?: string; dataDir?: string; workers?: number; onProgress?: (line: string) => void }): Promise<NoiseMeasurement> {
  const loaded = await readSuite(options.suiteDir);
  const checkpoint = options.checkpoint ?? suiteCheckpointDir(loaded.suite);
  const paths = await measureNoise({
    suiteDir: loaded.dir,
    checkpoint,
    dataDir: options.dataDir,
    metrics: true,
    workers: options.workers,
    onPath: (p, i, total) => options.onProgress?.(`measuring compute path ${i + 1}/${total}: ${p.name}`),
  });
  const baseline = await readJsonFile(BaselineSchema, path.join(loaded.dir, BASELINE_FILE));
  const evidence: NoiseEvidence = { formatVersion: 1, checkpoint: baseline.checkpoint, measuredAt: new Date().toISOString(), paths };
  await withGoldensLock(loaded.dir, 'cvae golden noise', () => writeJsonAtomic(path.join(loaded.dir, NOISE_FILE), evidence));
  return { evidence, proposals: proposals(loaded.suite, paths) };
}

function proposals(suite: Suite, evidence: NoiseEvidence['paths']): string[] {
  const lines: string[] = [];
  for (const [name, image] of Object.entries(suite.images)) {
    const derived = pixelTolerance(evidence, name);
    if (derived.threshold !== image.tolerance.threshold || derived.maxDiffPixels !== image.tolerance.maxDiffPixels) {
      lines.push(`images.${name}.tolerance: ${JSON.stringify({ threshold: derived.threshold, maxDiffPixels: derived.maxDiffPixels })} (${derived.derivedFrom}; suite.json has ${JSON.stringify({ threshold: image.tolerance.threshold, maxDiffPixels: image.tolerance.maxDiffPixels })})`);
    }
  }
  for (const metric of gatedMetrics(suite)) {
    const derived = metricNoise(evidence, metric);
    const current = suite.gates.metrics[metric]?.noise;
    if (current !== derived) lines.push(`gates.metrics.${metric}.noise: ${derived} (suite.json has ${current})`);
  }
  return lines;
}
