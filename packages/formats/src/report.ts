/**
 * A suite check's `report.json` (beside it: `index.html`, the static report, and per image
 * `<name>/expected.png`, `actual.png` and `result.json`, and for anything but a pass `diff.png`; with the
 * gates measured, `candidate-baseline.json` + `.bin`).
 */
import { z } from 'zod';
import { CheckpointRefSchema, isSafeRelativePath } from './checkpoint';
import { SampleQualityBoundsSchema, SampleQualitySchema } from './classifier';
import { DatasetLabelSchema } from './dataset';
import { EstimateSchema, IsoDate, NonNegativeInt, PositiveInt, Sha256 } from './common';
import { GoldenNameSchema, GoldenProvenanceSchema, GoldenThresholdsSchema, IMAGE_SET_KINDS } from './goldens';

export const REPORT_FORMAT_VERSION = 3;
export const COMPARISON_STATUSES = ['pass', 'fail', 'missing', 'size-mismatch'] as const;
export const ComparisonStatusSchema = z.enum(COMPARISON_STATUSES);
export type ComparisonStatus = z.infer<typeof ComparisonStatusSchema>;

/** A path relative to the report directory, or null when that file was not written. */
const ReportPath = z.string().min(1).nullable();

/** The numbers of one comparison. */
const ComparisonNumbers = z.object({
  name: GoldenNameSchema,
  status: ComparisonStatusSchema,
  width: PositiveInt,
  height: PositiveInt,
  expectedWidth: PositiveInt.nullable(),
  expectedHeight: PositiveInt.nullable(),
  diffPixels: NonNegativeInt.nullable(),
  diffRatio: z.number().min(0).max(1).nullable(),
  /** Largest absolute channel difference, 0–255. */
  maxDelta: z.number().int().min(0).max(255).nullable(),
  thresholds: GoldenThresholdsSchema,
  /** The one-line explanation printed by `cvae golden check`. */
  message: z.string(),
});

/** One entry of report.json's `comparisons`. */
export const ReportEntrySchema = ComparisonNumbers.extend({
  kind: z.enum(IMAGE_SET_KINDS),
  seed: z.number().int(),
  grid: PositiveInt,
  expected: ReportPath,
  actual: ReportPath,
  diff: ReportPath,
  result: ReportPath,
});
export type ReportEntry = z.infer<typeof ReportEntrySchema>;

/**
 * `changed` is for metrics with no better direction (KL): beyond the margin, significantly, but
 * neither better nor worse — reported, never failed.
 */
export const VERDICTS = ['unchanged', 'better', 'worse', 'changed within margin', 'changed'] as const;
export const VerdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof VerdictSchema>;

/** One class's share of a metric gate: the same paired test over that class's gate images alone. */
export const ClassGateResultSchema = z.object({
  /** The label, and its name (the digits for IDX, the folder name for an image folder). */
  label: NonNegativeInt,
  name: z.string(),
  baseline: EstimateSchema,
  candidate: EstimateSchema,
  paired: z.object({ delta: z.number(), standardError: z.number(), images: PositiveInt }),
  verdict: VerdictSchema,
  margin: z.number(),
  floor: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  floorViolation: z.string().optional(),
  passed: z.boolean(),
  /** The class that fails, or would fail first (the most adverse Δ): the one a reviewer looks at. */
  worst: z.boolean(),
  message: z.string(),
});
export type ClassGateResult = z.infer<typeof ClassGateResultSchema>;

/** A gate's per-class results (when suite.json asks for them): every class, and one line about them all. */
export const PerClassGateResultSchema = z.object({
  margin: z.number(),
  passed: z.boolean(),
  /** `per class (10 classes, margin 1.00): all pass; worst 3: …` or the failing classes named. */
  summary: z.string(),
  classes: z.array(ClassGateResultSchema),
});
export type PerClassGateResult = z.infer<typeof PerClassGateResultSchema>;

/** One metric gate: the paired comparison with the baseline, its verdict, and the hand-set floor. */
export const GateResultSchema = z.object({
  metric: z.string(),
  /** For people: `ELBO`, `reconstruction MSE`, … */
  label: z.string(),
  unit: z.string(),
  /** Which way is better ('none': neither, e.g. KL). */
  direction: z.enum(['higher', 'lower', 'none']),
  /** null: the suite has no baseline to pair with (the gate fails). */
  baseline: EstimateSchema.nullable(),
  candidate: EstimateSchema,
  /** Mean of (candidate − baseline) over the same images with the same eps, and its standard error. */
  paired: z.object({ delta: z.number(), standardError: z.number(), images: PositiveInt }).nullable(),
  /** What the standard error of Δ would be without pairing: √(SE_baseline² + SE_candidate²). */
  unpairedStandardError: z.number().nullable(),
  verdict: VerdictSchema.nullable(),
  margin: z.number(),
  noise: z.number(),
  floor: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  /** Set when the candidate's mean leaves the floor. */
  floorViolation: z.string().optional(),
  /** False too when a class gate fails (`perClass`); `verdict` is then still the verdict over all images. */
  passed: z.boolean(),
  /** The per-class gates; absent when suite.json asks for none (or the gate has no baseline). */
  perClass: PerClassGateResultSchema.optional(),
  /** One line, with the numbers: `ELBO −156.46 → −157.10 (Δ −0.64 ± 0.03 paired over 2,000 images): worse than margin 0.50`. */
  message: z.string(),
});
export type GateResult = z.infer<typeof GateResultSchema>;

/** The sample-quality gate's measurement, the bounds it was held to, and one line per bound broken. */
export const QualityGateResultSchema = z.object({
  result: SampleQualitySchema,
  bounds: SampleQualityBoundsSchema,
  violations: z.array(z.string()),
  passed: z.boolean(),
});
export type QualityGateResult = z.infer<typeof QualityGateResultSchema>;

/**
 * A golden no image set of suite.json produces any more (its PNG, its goldens.json entry, or both),
 * as jest has obsolete snapshots. In CI mode (`--ci`, or CI set) it fails the check, as a missing
 * golden does; otherwise it is only reported.
 */
export const ObsoleteGoldenSchema = z.object({
  name: z.string().min(1),
  /** True in CI mode: the check fails because of it. */
  failed: z.boolean(),
  /** The one line printed, saying how to remove it. */
  message: z.string(),
});
export type ObsoleteGolden = z.infer<typeof ObsoleteGoldenSchema>;

/**
 * The candidate's model against the suite's: a changed architecture is judged on the baseline's images
 * (paired on the same eps draws when the latent sizes match, on images only when they do not), and
 * its goldens compare another model's pictures.
 */
export const ReportModelSchema = z.object({
  candidate: z.string(),
  /** null: the suite's model is not known (its baseline predates recorded architectures and its checkpoint is gone). */
  baseline: z.string().nullable(),
  /** What the candidate changes, e.g. `encoder_conv1 filters 32 → 48`; null: the same architecture (or unknown). */
  difference: z.string().nullable(),
  pairing: z.enum(['eps', 'images']),
});
export type ReportModel = z.infer<typeof ReportModelSchema>;

/** A file of the report directory: a relative path inside it, no `..`. */
const ReportFile = z.string().refine(isSafeRelativePath, 'expected a path inside the report directory');

/**
 * What `cvae accept` promotes from a report without re-rendering: every golden's rendered PNG and its
 * result.json (the provenance), and the candidate's per-image gate metrics (`candidate-baseline.json`
 * + `.bin`, the shape of a suite's baseline) when the gates were measured; every file with its sha256.
 */
export const ReportCandidateSchema = z.object({
  images: z.record(GoldenNameSchema, z.object({ actual: ReportFile, result: ReportFile })),
  /** The candidate's baseline.json-shaped header; null when only the pixels were checked. */
  baseline: ReportFile.nullable(),
  /** sha256 of every file above (and of the baseline's data file), by path. */
  files: z.record(ReportFile, Sha256),
});
export type ReportCandidate = z.infer<typeof ReportCandidateSchema>;

export const GoldenReportSchema = z.object({
  formatVersion: z.literal(REPORT_FORMAT_VERSION),
  createdAt: IsoDate,
  passed: z.boolean(),
  suite: z.object({ name: z.string(), dir: z.string() }),
  checkpoint: CheckpointRefSchema,
  dataset: DatasetLabelSchema,
  backend: z.string(),
  /** What ran the convolutions, e.g. `conv.wasm simd128-fma`. */
  kernels: z.string(),
  /** The goldens directory (the suite), relative to the report directory. */
  goldensDir: z.string(),
  counts: z.record(ComparisonStatusSchema, NonNegativeInt),
  comparisons: z.array(ReportEntrySchema),
  /** The metric gates; empty when only the pixels were checked (`cvae golden check`). */
  gates: z.array(GateResultSchema),
  /** The candidate's architecture against the suite's (absent in reports from before models were data). */
  model: ReportModelSchema.optional(),
  /** The sample-quality gate; absent when the suite has none or only the pixels were checked. */
  quality: QualityGateResultSchema.optional(),
  /** Golden PNGs or goldens.json entries that no image set of suite.json produces any more. */
  obsolete: z.array(ObsoleteGoldenSchema),
  /** What `cvae accept` needs (absent in reports from before it). */
  candidate: ReportCandidateSchema.optional(),
});
export type GoldenReport = z.infer<typeof GoldenReportSchema>;

/** `<report>/<name>/result.json`: a comparison's numbers and the provenance Accept records. */
export const ComparisonResultSchema = ComparisonNumbers.extend({ provenance: GoldenProvenanceSchema });
export type ComparisonResult = z.infer<typeof ComparisonResultSchema>;
