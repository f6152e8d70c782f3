/** `reports/golden/report.json` and each comparison's `<name>/result.json`, written by a golden check. */
import { z } from 'zod';
import { CheckpointRefSchema } from './checkpoint';
import { IsoDate, NonNegativeInt, PositiveInt } from './common';
import { GoldenNameSchema, GoldenProvenanceSchema, GoldenThresholdsSchema, IMAGE_SET_KINDS } from './goldens';

export const REPORT_FORMAT_VERSION = 1;
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

export const GoldenReportSchema = z.object({
  formatVersion: z.literal(REPORT_FORMAT_VERSION),
  createdAt: IsoDate,
  passed: z.boolean(),
  checkpoint: CheckpointRefSchema,
  backend: z.string(),
  /** The goldens directory, relative to the report directory. */
  goldensDir: z.string(),
  counts: z.record(ComparisonStatusSchema, NonNegativeInt),
  comparisons: z.array(ReportEntrySchema),
});
export type GoldenReport = z.infer<typeof GoldenReportSchema>;

/** `<report>/<name>/result.json`: a failing comparison's numbers and the provenance Accept records. */
export const ComparisonResultSchema = ComparisonNumbers.extend({ provenance: GoldenProvenanceSchema });
export type ComparisonResult = z.infer<typeof ComparisonResultSchema>;
