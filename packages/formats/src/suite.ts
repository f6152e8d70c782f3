/**
 * A golden suite: one directory holding `suite.json` (what to check and how strictly), the golden PNGs
 * with their index (`goldens.json`), the baseline's per-image metrics (`baseline.json` + `baseline.bin`)
 * and the measured noise of every compute path (`noise.json`). suite.json is written once, by
 * `cvae golden init`, and then belongs to people: no command rewrites it — least of all its floors.
 */
import { ArchitectureSchema } from './architecture';
import { z } from 'zod';
import { CheckpointRefSchema } from './checkpoint';
import { SampleQualityBoundsSchema } from './classifier';
import { EstimateSchema, IsoDate, NonNegativeInt, PositiveInt, Sha256 } from './common';
import { DatasetIdentitySchema } from './dataset';
import { GoldenNameSchema, GoldenThresholdsSchema, ImageSetSpecSchema } from './goldens';

export const SUITE_FORMAT_VERSION = 1;
export const SUITE_FILE = 'suite.json';
export const BASELINE_FILE = 'baseline.json';
export const NOISE_FILE = 'noise.json';

/** The metrics a suite can gate, in the order baseline.bin stores them. */
export const GATED_METRICS = ['elbo', 'kl', 'reconstructionMse', 'reconstructionCrossEntropy', 'iwae'] as const;
export type GatedMetric = (typeof GATED_METRICS)[number];

export const SuiteImageSchema = ImageSetSpecSchema.extend({
  /** How strictly this image is compared; derived at init from the measured noise of every compute path. */
  tolerance: GoldenThresholdsSchema.extend({ derivedFrom: z.string().optional() }),
});
export type SuiteImage = z.infer<typeof SuiteImageSchema>;

/** Hand-set absolute bounds: a gate fails when the candidate's mean leaves them, whatever the baseline. */
export const FloorSchema = z.object({ min: z.number().optional(), max: z.number().optional() });

/**
 * Per-class gates: the same paired test on each class's gate images alone, because a model that forgets
 * one digit moves the mean of all images by only a tenth of what it loses on that digit. Absent: no
 * class gates (suites made before them behave exactly as before). `margin` defaults to the metric's
 * margin; `cvae golden init` writes DEFAULT_CLASS_MARGIN_FACTOR × it, since a class's Δ is an average
 * over fewer images and moves more between equally good models than the mean does. `floor` bounds every
 * class's mean; `floors` (by class name: the label's digits for IDX, the folder name for an image folder)
 * bound one class each and take precedence — init proposes one per class from the baseline's class means.
 */
export const PerClassGateSchema = z.object({
  margin: z.number().nonnegative().optional(),
  floor: FloorSchema.optional(),
  floors: z.record(z.string(), FloorSchema).optional(),
});
export type PerClassGate = z.infer<typeof PerClassGateSchema>;

export const MetricGateSchema = z.object({
  /** The practical margin δ (metric units): a change beyond it, significantly, is better or worse. */
  margin: z.number().nonnegative(),
  /** |Δ| up to this is "unchanged": the difference our compute paths make on the same checkpoint. */
  noise: z.number().nonnegative(),
  floor: FloorSchema.optional(),
  /** Also gate each class of the gate images (a labelled dataset only). */
  perClass: PerClassGateSchema.optional(),
});
export type MetricGate = z.infer<typeof MetricGateSchema>;

/**
 * The sample-quality gate: a classifier (named by path and weights sha256, so a retrained one is never
 * used silently) judges `samples` seeded prior samples and the reconstructions of the gate images;
 * the hand-set bounds fail the check (FID, a lost class, entropy, confidence).
 */
export const SuiteQualitySchema = z.object({
  classifier: z.object({ path: z.string().min(1), weights: Sha256 }),
  samples: PositiveInt,
  seed: NonNegativeInt,
  bounds: SampleQualityBoundsSchema,
});
export type SuiteQuality = z.infer<typeof SuiteQualitySchema>;

export const SuiteSchema = z.object({
  formatVersion: z.literal(SUITE_FORMAT_VERSION),
  description: z.string().optional(),
  /** The checkpoint the suite checks by default (relative to the workspace root), and the weights it was made from. */
  checkpoint: CheckpointRefSchema,
  dataset: DatasetIdentitySchema,
  images: z.record(GoldenNameSchema, SuiteImageSchema),
  gates: z.object({
    /** The first `images` test images, with eps from `seed`: the same for baseline and candidate. */
    images: PositiveInt,
    seed: NonNegativeInt,
    /** IWAE samples per image when `metrics.iwae` is gated. */
    iwSamples: PositiveInt.optional(),
    /** z of the one-sided test "significantly beyond the margin" (3 unless told otherwise). */
    z: z.number().positive(),
    metrics: z.object({
      elbo: MetricGateSchema,
      kl: MetricGateSchema,
      reconstructionMse: MetricGateSchema,
      reconstructionCrossEntropy: MetricGateSchema,
      iwae: MetricGateSchema.optional(),
    }),
  }),
  quality: SuiteQualitySchema.optional(),
  /** Why the numbers are what they are (people's notes; kept verbatim). */
  notes: z.array(z.string()).optional(),
});
export type Suite = z.infer<typeof SuiteSchema>;

/** `baseline.json`: what baseline.bin holds — the baseline checkpoint's per-image metrics on the gate images. */
export const BaselineSchema = z.object({
  formatVersion: z.literal(1),
  checkpoint: CheckpointRefSchema,
  dataset: DatasetIdentitySchema,
  backend: z.string(),
  images: PositiveInt,
  seed: NonNegativeInt,
  iwSamples: PositiveInt.optional(),
  /** The baseline model's architecture (absent in baselines from before models were data: the suite checkpoint's). */
  architecture: ArchitectureSchema.optional(),
  /** Rows of baseline.bin (float32, little-endian, metric-major: all images of metrics[0], then metrics[1], …). */
  metrics: z.array(z.enum(GATED_METRICS)).min(1),
  file: z.string(),
  sha256: Sha256,
  summary: z.record(z.string(), EstimateSchema),
  createdAt: IsoDate,
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** One compute path's difference from the goldens and the baseline on the unchanged checkpoint. */
export const PathNoiseSchema = z.object({
  /** e.g. `wasm conv.wasm simd128-fma`, `wasm xnnpack`, `cpu`, `browser (tfjs cpu in Chromium)`. */
  path: z.string(),
  goldens: z.record(GoldenNameSchema, z.object({ maxDelta: z.number().int().min(0).max(255), differingPixels: NonNegativeInt })),
  /** |mean(path) − mean(baseline)| per metric; absent for paths that only decode (the browser). */
  metrics: z.record(z.string(), z.number().nonnegative()).optional(),
});

/** `noise.json`: the measured evidence suite.json's tolerances and noise levels were derived from. */
export const NoiseEvidenceSchema = z.object({
  formatVersion: z.literal(1),
  checkpoint: CheckpointRefSchema,
  measuredAt: IsoDate,
  paths: z.array(PathNoiseSchema),
});
export type NoiseEvidence = z.infer<typeof NoiseEvidenceSchema>;
